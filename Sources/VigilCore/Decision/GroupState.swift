/// The named states of a group, as shown in status. Details of an operation in progress live
/// in `GroupStatus.operation`; this is the headline.
public enum GroupState: Sendable, Hashable, Codable {
    /// A writable primary, every member replicating.
    case healthy
    /// The primary missed probes, or the controller lost it while the replicas still see it.
    case suspect
    case failingOver(FailoverStep)
    /// Promoted; waiting for the new primary to prove it is writable before moving traffic.
    case confirming
    /// A working primary, but some member is down, quarantined, waiting to rejoin or not
    /// replicating.
    case degraded
    /// Something must happen and cannot yet (see the reason); re-evaluated on every input.
    case blocked(BlockReason)
    case switchingOver(SwitchoverStep)

    /// Short name for status and metrics.
    public var name: String {
        switch self {
        case .healthy: "healthy"
        case .suspect: "suspect"
        case .failingOver: "failingOver"
        case .confirming: "confirming"
        case .degraded: "degraded"
        case .blocked: "blocked"
        case .switchingOver: "switchingOver"
        }
    }
}

public enum FailoverStep: Sendable, Hashable, Codable {
    /// Fencing the old primary and stopping every replica's IO thread.
    case isolating
    /// Waiting for the old primary's self-fencing lease to run out.
    case awaitingLease(until: Instant)
    /// Choosing the candidate (and isolating replicas that came back).
    case choosing
    case draining(String)
    case promoting(String)
    /// Promoted; waiting for the new primary to answer writable (state `confirming`).
    case confirming(String)
    /// Confirmed writable: moving traffic and repointing the other replicas.
    case repointing(String)
}

public enum SwitchoverStep: Sendable, Hashable, Codable {
    case settingReadOnly
    case waitingForTarget(deadline: Instant)
    case promoting
    case confirming
    case repointing
    /// The target did not catch up (or a step failed): making the old primary writable again.
    case rollingBack
}

public enum BlockReason: Sendable, Hashable, Codable {
    /// The primary failed inside the anti-flap window.
    case cooldown(until: Instant)
    /// No primary and nothing to promote automatically (e.g. a fresh group, or the old primary
    /// failed with no replica).
    case noPrimary
    /// The old primary may still accept writes: these peers may still vouch for its lease
    /// (unreachable, no revocation seen, and vouching never ends by configuration).
    case oldPrimaryMayBeWritable(vouchers: [String])
    /// Semi-sync: these replicas may hold acknowledged transactions nobody else has and cannot
    /// be read; promoting without them could lose acknowledged writes.
    case replicasUnaccounted([String])
    case noCandidate(CandidateDecision.NoCandidateReason)
    /// Semi-sync: no live replica holds all of the last promotion's history (`missing` is what
    /// the best one lacks); some of it may be acknowledged writes, so nobody is promoted until
    /// a replica that holds it returns, or an operator forces a promotion.
    case lastPromotionNotHeld(missing: GTIDState)
    /// Semi-sync: the candidate could not apply its relay log within the drain timeout;
    /// discarding it could lose acknowledged writes, so the drain is retried.
    case drainIncomplete(String)
}
