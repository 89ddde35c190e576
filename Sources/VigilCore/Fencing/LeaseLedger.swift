/// The controller's side of the lease contract: which words it sent to whom and when, and
/// when each agent was first heard holding a newer term. From these it bounds when a deposed
/// primary has certainly stopped accepting writes (see `LeaseContract`).
///
/// Volatile by design: after a restart the ledger starts at `since` and assumes every agent
/// got a word naming anyone at that instant. Conservative, and needs no cross-restart clock.
public struct LeaseLedger: Sendable, Hashable {
    /// The bound on a deposed primary's writes.
    public enum Bound: Sendable, Hashable {
        case at(Instant)
        /// These agents may vouch for it forever (`peerVouchWindow` is nil and they are silent).
        case unbounded(vouchers: [String])
    }

    private struct Sighting: Sendable, Hashable {
        var term: UInt64
        var firstAt: Instant
    }

    public let contract: LeaseContract
    public let since: Instant
    private var lastWriteGrant: [String: Instant] = [:]
    /// agent → primary named with writes allowed → last reply time.
    private var lastNamed: [String: [String: Instant]] = [:]
    private var sightings: [String: Sighting] = [:]

    public init(contract: LeaseContract, since: Instant) {
        self.contract = contract
        self.since = since
    }

    /// The controller answered `agent`'s heartbeat with `word` at `now`.
    public mutating func replied(to agent: String, with word: ControllerWord, at now: Instant) {
        guard word.primaryMayWrite, let primary = word.primary else { return }
        if primary == agent { lastWriteGrant[agent] = now }
        lastNamed[agent, default: [:]][primary] = now
    }

    /// A heartbeat from `agent` said it holds `term`.
    public mutating func heard(_ agent: String, term: UInt64, at now: Instant) {
        if let known = sightings[agent], known.term >= term { return }
        sightings[agent] = Sighting(term: term, firstAt: now)
    }

    /// When `agent` was first heard at `term` or later (an upper bound: it adopted it earlier).
    public func firstHeard(_ agent: String, atOrAbove term: UInt64) -> Instant? {
        guard let sighting = sightings[agent], sighting.term >= term else { return nil }
        return sighting.firstAt
    }

    /// When `primary`, deposed in `term`, certainly accepts no writes, counting the vouching
    /// of every agent in `peers`.
    public func writesEnd(for primary: String, deposedIn term: UInt64, peers: [String]) -> Bound {
        var lastRenewal = max(since, lastWriteGrant[primary] ?? since)
        var silent: [String] = []
        for peer in peers where peer != primary {
            if let revoked = firstHeard(peer, atOrAbove: term) {
                lastRenewal = max(lastRenewal, revoked)
                continue
            }
            let named = max(since, lastNamed[peer]?[primary] ?? since)
            guard let end = contract.vouchingEnds(wordSentAt: named) else {
                silent.append(peer)
                continue
            }
            lastRenewal = max(lastRenewal, end)
        }
        if !silent.isEmpty { return .unbounded(vouchers: silent.sorted()) }
        return .at(contract.promotionAllowed(afterLastRenewal: lastRenewal))
    }
}
