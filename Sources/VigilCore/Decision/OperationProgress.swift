/// How the old primary was shown unable to accept writes, so a promotion is safe.
public enum OldPrimarySafety: String, Sendable, Hashable, Codable {
    /// There was none (a group without a primary).
    case noOldPrimary
    /// Our fence answered: it is read-only.
    case fenced
    /// Its agent, on a live host, saw mysqld refuse or exit.
    case deathProven
    /// Its agent reported the new term and a confirmed fence.
    case deposedAndFenced
    /// Its self-fencing lease certainly ran out (`LeaseContract`).
    case leaseExpired
}

/// A failover in progress: persisted so a restarted controller resumes it safely.
public struct FailoverProgress: Sendable, Hashable, Codable {
    /// What stopping a replica's IO thread found.
    public enum Isolation: Sendable, Hashable, Codable {
        /// Stopped; the observation read right after (its GTIDs can no longer grow).
        case stopped(InstanceObservation)
        case failed(String)
    }

    public var from: String?
    /// The term that deposed `from`.
    public var term: UInt64
    public var evidence: FailureEvidence
    public var startedAt: Instant
    public var step: FailoverStep
    public var stepStartedAt: Instant
    public var timings: [StepTiming] = []
    public var forcedCandidate: String?
    public var oldPrimarySafety: OldPrimarySafety?
    /// The old primary's executed GTIDs at the controller's last good probe of it.
    public var oldPrimaryLastExecuted: GTIDState?
    public var oldPrimaryLastSeenAt: Instant?
    public var fenceAttempted = false
    public var isolation: [String: Isolation] = [:]
    /// Why the failover cannot continue right now, if it cannot.
    public var blocked: BlockReason?
    public var candidate: String?
    /// Chosen once, then lost before promotion: no longer a candidate, but its GTIDs as read
    /// when isolated still count (its IO thread was stopped, so nothing came after).
    public var lostCandidates: [String] = []
    public var drained: InstanceObservation?
    public var drainFailures = 0
    public var promotionIssued = false
    public var promoted: Bool = false
    public var promotionGTIDs: GTIDState?
    public var confirmed = false
    public var lost: GTIDState?
    public var divergent: [String: GTIDState] = [:]
    public var pendingRejoin: [String] = []
    public var trafficMoved = false
    public var repointing: [String] = []

    public init(from: String?, term: UInt64, evidence: FailureEvidence, startedAt: Instant, forcedCandidate: String?) {
        self.from = from
        self.term = term
        self.evidence = evidence
        self.startedAt = startedAt
        self.step = .isolating
        self.stepStartedAt = startedAt
        self.forcedCandidate = forcedCandidate
    }
}

/// A switchover in progress.
public struct SwitchoverProgress: Sendable, Hashable, Codable {
    public var from: String
    public var to: String
    public var startedAt: Instant
    public var step: SwitchoverStep
    public var stepStartedAt: Instant
    public var timings: [StepTiming] = []
    /// When the old primary was asked to go read-only (writes blocked from here).
    public var readOnlyAt: Instant?
    /// The old primary's executed GTIDs once read-only: what the target must apply.
    public var finalGTIDs: GTIDState?
    public var promotionIssued = false
    public var promoted = false
    public var promotionGTIDs: GTIDState?
    public var confirmed = false
    public var trafficMoved = false
    public var repointing: [String] = []
    public var rollbackReason: String?

    public init(from: String, to: String, startedAt: Instant) {
        self.from = from
        self.to = to
        self.startedAt = startedAt
        self.step = .settingReadOnly
        self.stepStartedAt = startedAt
    }
}

public enum GroupOperation: Sendable, Hashable, Codable {
    case failover(FailoverProgress)
    case switchover(SwitchoverProgress)
}
