/// The agent's self-fencing rules as a value: inputs in, fence decisions out, no IO, no clock
/// (instants are the agent's own monotonic clock). See `LeaseContract` for the timing argument.
///
/// - The instance may be writable only while the controller's word names it primary with
///   writes allowed and its lease runs. Losing that (lease expiry, a higher term) fences at
///   once; seeing the server writable without it (a restart, a stray `read_only=0`) fences too.
///   The controller promotes an instance only after its agent holds such a word, so the two
///   never fight.
/// - A fresh agent, and an agent whose mysqld restarted, fences first.
/// - It lifts only its own fence, and only on the controller's authenticated word itself
///   (never on a peer's vouch).
/// - An unconfirmed fence is re-read each tick and escalated to killing mysqld after
///   `fenceEscalation`.
public struct SelfFencing: Sendable, Hashable, Codable {
    private enum Pending: String, Sendable, Hashable, Codable {
        case fence, unfence, reRead, kill
    }

    public let instance: String
    public let contract: LeaseContract
    /// The highest term heard, from the controller or a peer.
    public private(set) var term: UInt64 = 0
    /// The primary that term names.
    public private(set) var primary: String?
    public private(set) var primaryMayWrite = false
    /// Whether the current term was heard from the controller itself (a peer's higher term can
    /// depose this instance but never allow it to write).
    public private(set) var wordFromController = false
    /// When the request that fetched the controller's current word was sent.
    public private(set) var wordSentAt: Instant?
    /// End of this instance's write lease; nil when it holds none.
    public private(set) var leaseExpiresAt: Instant?
    public private(set) var fence: FenceState = .unfenced
    public private(set) var server: ServerProcessState = .unknown
    /// Whether writes were allowed at the last evaluation (losing it is the fencing event).
    private var wasAllowed = false
    private var pending: Pending?
    private var killIssued = false

    /// Feed `.started` first: a fresh agent fences before anything else.
    public init(instance: String, contract: LeaseContract = LeaseContract()) {
        self.instance = instance
        self.contract = contract
    }

    /// May this instance accept writes at `now`: the controller's word names it primary and
    /// allows writes, and its lease runs.
    public func mayWrite(at now: Instant) -> Bool {
        guard wordFromController, primaryMayWrite, primary == instance, let lease = leaseExpiresAt else { return false }
        return now < lease
    }

    /// The answer to a peer's ping: vouch only for the primary the controller named, and only
    /// within `peerVouchWindow` of fetching that word.
    public func vouch(at now: Instant) -> PeerVouch {
        guard wordFromController, primaryMayWrite, let sentAt = wordSentAt else { return PeerVouch(term: term, primary: nil) }
        if let end = contract.vouchingEnds(wordSentAt: sentAt), now >= end { return PeerVouch(term: term, primary: nil) }
        return PeerVouch(term: term, primary: primary)
    }

    public mutating func handle(_ input: AgentInput, now: Instant) -> AgentDecision {
        var actions: [AgentAction] = []
        var reason = AgentReason.unchanged
        var heardController = false
        let isTick = input == .tick
        switch input {
        case .started:
            beginFence(.agentStart, now: now, actions: &actions)
            reason = .agentStarted
        case .controllerWord(let word, let sentAt, let authenticated):
            if !authenticated {
                reason = .ignoredUnauthenticatedWord
            } else if word.term < term {
                reason = .ignoredStaleWord(term: word.term)
            } else {
                reason = adopt(word, sentAt: sentAt)
                heardController = true
            }
        case .peerAnswered(let peer, let vouch, let sentAt):
            reason = consider(vouch, from: peer, sentAt: sentAt)
        case .serverObserved(let state):
            reason = observe(state, now: now, actions: &actions)
        case .fenceCompleted(let result):
            reason = fenceCompleted(result, now: now, actions: &actions)
        case .unfenceCompleted(let result):
            pending = nil
            switch result {
            case .confirmed:
                fence = .unfenced
                reason = .unfenceConfirmed
            case .failed(let why), .ambiguous(let why):
                pending = .reRead
                actions.append(.reReadServerState)
                reason = .fenceUnconfirmed(why)
            }
        case .tick:
            break
        }
        evaluate(now: now, heardController: heardController, isTick: isTick, actions: &actions, reason: &reason)
        return AgentDecision(actions: actions, fence: fence, reason: reason, wakeAt: wakeAt(now: now))
    }

    // MARK: - Inputs

    private mutating func adopt(_ word: ControllerWord, sentAt: Instant) -> AgentReason {
        let sameWord = word.term == term && wordFromController
        if !sameWord { leaseExpiresAt = nil }
        term = word.term
        primary = word.primary
        primaryMayWrite = word.primaryMayWrite
        wordFromController = true
        wordSentAt = sameWord ? max(wordSentAt ?? sentAt, sentAt) : sentAt
        guard word.allowsWrites(by: instance) else { return .notAllowedToWrite }
        leaseExpiresAt = max(leaseExpiresAt ?? sentAt, sentAt + contract.leaseTimeout)
        return .leaseRenewedByController
    }

    private mutating func consider(_ vouch: PeerVouch, from peer: String, sentAt: Instant) -> AgentReason {
        if vouch.term > term {
            // A newer term deposes; it can never grant writes (only the controller does).
            term = vouch.term
            primary = vouch.primary
            primaryMayWrite = false
            wordFromController = false
            wordSentAt = nil
            leaseExpiresAt = nil
            return .deposed(term: vouch.term)
        }
        guard vouch.term == term, vouch.primary == instance, wordFromController, primaryMayWrite, primary == instance
        else { return .unchanged }
        leaseExpiresAt = max(leaseExpiresAt ?? sentAt, sentAt + contract.leaseTimeout)
        return .leaseRenewedByPeer(peer)
    }

    private mutating func observe(_ state: ServerProcessState, now: Instant, actions: inout [AgentAction]) -> AgentReason {
        let wasDown = server.isDown
        server = state
        if pending == .reRead || pending == .kill { pending = nil }
        if state.isDown {
            killIssued = false
            if case .fencing(let why, _) = fence { fence = .fenced(why) }
            pending = nil
            return .serverDown
        }
        guard case .running(let readOnly) = state else { return .unchanged }
        if wasDown {
            beginFence(.serverRestarted, now: now, actions: &actions)
            return .serverRestarted
        }
        switch (fence, readOnly) {
        case (.fencing(let why, _), true?):
            fence = .fenced(why)
            return .fenceConfirmed
        case (.fencing(let why, _), false?) where pending == nil:
            pending = .fence
            actions.append(.fence(why))
            return .fenceUnconfirmed("server still writable")
        case (_, false?) where pending == nil && !mayWrite(at: now):
            // Writable without permission: only the controller's word (and the promotion it
            // allows) may make an instance writable, so this one is fenced.
            beginFence(.notAllowedToWrite, now: now, actions: &actions)
            return .notAllowedToWrite
        case (.fenced, false?) where pending == nil:
            // Allowed, and the controller lifted our fence by promoting this instance.
            fence = .unfenced
            return .unchanged
        default:
            return .unchanged
        }
    }

    private mutating func fenceCompleted(_ result: FenceResult, now: Instant, actions: inout [AgentAction]) -> AgentReason {
        if pending == .fence { pending = nil }
        guard case .fencing(let why, _) = fence else { return .unchanged }
        switch result {
        case .confirmed:
            fence = .fenced(why)
            return .fenceConfirmed
        case .failed(let detail), .ambiguous(let detail):
            pending = .reRead
            actions.append(.reReadServerState)
            return .fenceUnconfirmed(detail)
        }
    }

    // MARK: - Rules

    private mutating func evaluate(
        now: Instant, heardController: Bool, isTick: Bool, actions: inout [AgentAction], reason: inout AgentReason) {
        let allowed = mayWrite(at: now)
        defer { wasAllowed = allowed }
        if wasAllowed && !allowed {
            let why: FenceReason =
                if primary != instance { .deposed } else if !primaryMayWrite { .notAllowedToWrite } else { .leaseExpired }
            beginFence(why, now: now, actions: &actions)
            reason = why == .deposed ? .deposed(term: term) : why == .leaseExpired ? .leaseExpired : .notAllowedToWrite
            return
        }
        // Lifting: only our own confirmed fence, only on the controller's word itself.
        if allowed && heardController, case .fenced = fence, pending == nil, !server.isDown {
            pending = .unfence
            actions.append(.unfence)
            reason = .controllerAllowsWrites
            return
        }
        guard case .fencing = fence, !server.isDown else { return }
        if let deadline = escalationDeadline, now >= deadline {
            // The executor bounds every statement, but a hung one must not delay the kill.
            killIssued = true
            pending = .kill
            actions.append(.killServer(fence.reason ?? .leaseExpired))
            reason = .escalatedToKill
        } else if pending == nil && isTick {
            // Not answering yet: look again on the next tick, not in a tight loop.
            pending = .reRead
            actions.append(.reReadServerState)
        }
    }

    /// When an unconfirmed fence turns into a kill; nil when not fencing or already killed.
    private var escalationDeadline: Instant? {
        guard case .fencing(_, let since) = fence, !killIssued else { return nil }
        return since + contract.fenceEscalation
    }

    private mutating func beginFence(_ why: FenceReason, now: Instant, actions: inout [AgentAction]) {
        fence = .fencing(why, since: now)
        killIssued = false
        pending = .fence
        actions.append(.fence(why))
    }

    private func wakeAt(now: Instant) -> Instant? {
        var times: [Instant] = []
        if mayWrite(at: now), let lease = leaseExpiresAt { times.append(lease) }
        if let deadline = escalationDeadline {
            times.append(deadline)
            if pending == nil { times.append(now + contract.probeInterval) }
        }
        return times.min()
    }
}

extension FenceState {
    /// Confirmed (as opposed to still being applied).
    public var isConfirmed: Bool {
        if case .fenced = self { return true }
        return false
    }
}
