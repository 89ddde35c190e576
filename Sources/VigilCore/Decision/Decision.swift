/// The machine's answer to one input: the state it is in now, what to do, and why.
public struct Decision: Sendable, Hashable, Codable {
    /// Increases by one per decision; survives restarts with the status.
    public var id: UInt64
    public var at: Instant
    public var state: GroupState
    public var actions: [GroupAction]
    /// The most significant thing that happened (the last transition, else the standing reason).
    public var reason: Reason
    /// Every transition this input caused, in order (often just `reason`).
    public var trail: [Reason]
    /// Call `handle(.tick, now:)` no later than this.
    public var wakeAt: Instant?

    public init(
        id: UInt64, at: Instant, state: GroupState, actions: [GroupAction], reason: Reason, trail: [Reason],
        wakeAt: Instant?
    ) {
        self.id = id
        self.at = at
        self.state = state
        self.actions = actions
        self.reason = reason
        self.trail = trail
        self.wakeAt = wakeAt
    }

    public var kinds: [GroupAction.Kind] { actions.map(\.kind) }
}

/// A machine-readable reason code and a sentence for humans.
public struct Reason: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        case unchanged
        case primaryHealthy
        case degraded
        case primarySuspect
        case controllerOnlyBlip
        case noPrimary
        case failoverStarted
        case failoverBlockedByCooldown
        case oldPrimaryFenced
        case oldPrimaryDeathProven
        case oldPrimaryKnowsDeposed
        case awaitingLease
        case leaseExpired
        case leaseUnverifiable
        case replicasUnaccounted
        case noCandidate
        case candidateChosen
        case drainComplete
        case drainIncomplete
        case promotionIssued
        case promotionFailed
        case confirmedWritable
        case confirmFailed
        case failoverCompleted
        case failoverAbandoned
        case switchoverRefused
        case switchoverStarted
        case primaryReadOnly
        case targetCaughtUp
        case switchoverRollingBack
        case switchoverRolledBack
        case switchoverCompleted
        case switchoverAbandoned
        case rejoinCheck
        case rejoined
        case quarantined
        case repointFailed
        case actionFailed
        case operatorCommand
        case operatorRefused
        case restored
        case unknownAction
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)" }
}
