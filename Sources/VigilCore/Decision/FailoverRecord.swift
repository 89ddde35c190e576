/// How long one step of an operation took (controller clock).
public struct StepTiming: Sendable, Hashable, Codable {
    public var step: String
    public var startedAt: Instant
    public var endedAt: Instant

    public init(step: String, startedAt: Instant, endedAt: Instant) {
        self.step = step
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    public var durationMs: Int64 { (endedAt - startedAt).wholeMilliseconds }
}

/// What evidence started a failover.
public enum FailureEvidence: Sendable, Hashable, Codable {
    /// The primary's agent, on a live host, saw mysqld refuse connections or exit.
    case deathProven
    /// The controller lost it and these replicas agree.
    case unreachableConfirmedBy([String])
    /// `OperatorCommand.forcePromote`.
    case operatorForced(String)
}

/// The story of one failover, for status and events.
public struct FailoverRecord: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case completed
        /// The promoted instance failed before it was confirmed writable; a new failover (from
        /// it) follows.
        case candidateFailed
    }

    /// nil when the group had no primary (an operator promoted one).
    public var from: String?
    public var to: String
    public var outcome: Outcome
    public var reason: FailureEvidence
    public var term: UInt64
    public var startedAt: Instant
    public var completedAt: Instant
    public var steps: [StepTiming]
    /// The new primary's executed GTIDs when it was promoted: the fork point every returning
    /// instance is checked against.
    public var promotionGTIDs: GTIDState?
    /// Known lost (async mode, or a forced promotion): the old primary's last observed
    /// transactions the new primary lacks, and relay log left unapplied.
    public var lostTransactions: GTIDState?
    /// Instances quarantined during this failover with their errant transactions.
    public var divergent: [String: GTIDState]
    /// Instances that could not be repointed now; they are checked when they return.
    public var pendingRejoin: [String]

    public init(
        from: String?, to: String, outcome: Outcome = .completed, reason: FailureEvidence, term: UInt64, startedAt: Instant, completedAt: Instant,
        steps: [StepTiming], promotionGTIDs: GTIDState?, lostTransactions: GTIDState?, divergent: [String: GTIDState],
        pendingRejoin: [String]
    ) {
        self.from = from
        self.to = to
        self.outcome = outcome
        self.reason = reason
        self.term = term
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.steps = steps
        self.promotionGTIDs = promotionGTIDs
        self.lostTransactions = lostTransactions
        self.divergent = divergent
        self.pendingRejoin = pendingRejoin
    }

    public var durationMs: Int64 { (completedAt - startedAt).wholeMilliseconds }
}

public struct SwitchoverRecord: Sendable, Hashable, Codable {
    public enum Outcome: Sendable, Hashable, Codable {
        case completed
        /// The old primary is writable again; nothing changed.
        case rolledBack(String)
        /// The target failed after it was named primary; a failover from it follows.
        case abandoned(String)
    }

    public var from: String
    public var to: String
    public var outcome: Outcome
    public var startedAt: Instant
    public var completedAt: Instant
    /// From read-only on the old primary to the new one confirmed writable (or rolled back).
    public var writeBlockedMs: Int64
    public var steps: [StepTiming]

    public init(
        from: String, to: String, outcome: Outcome, startedAt: Instant, completedAt: Instant, writeBlockedMs: Int64,
        steps: [StepTiming]
    ) {
        self.from = from
        self.to = to
        self.outcome = outcome
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.writeBlockedMs = writeBlockedMs
        self.steps = steps
    }
}

/// An operator command and what came of it.
public struct OperatorRecord: Sendable, Hashable, Codable {
    public var at: Instant
    public var command: OperatorCommand
    public var accepted: Bool
    public var note: String

    public init(at: Instant, command: OperatorCommand, accepted: Bool, note: String) {
        self.at = at
        self.command = command
        self.accepted = accepted
        self.note = note
    }
}

/// Why an instance is quarantined: never writable, never promoted, out of traffic, until an
/// operator command.
public struct QuarantineRecord: Sendable, Hashable, Codable {
    /// Transactions it has beyond the fork point; nil when replication refused it without a
    /// GTID-level explanation.
    public var errant: GTIDState?
    public var since: Instant
    public var note: String

    public init(errant: GTIDState?, since: Instant, note: String) {
        self.errant = errant
        self.since = since
        self.note = note
    }
}

extension FailureEvidence {
    /// A short label for metrics and timelines.
    public var name: String {
        switch self {
        case .deathProven: "deathProven"
        case .unreachableConfirmedBy: "unreachableConfirmed"
        case .operatorForced: "operatorForced"
        }
    }
}
