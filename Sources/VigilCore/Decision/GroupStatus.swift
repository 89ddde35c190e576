/// The persistent part of the group state machine: everything a restarted controller needs.
/// The executor persists it after every decision, before performing the decision's actions
/// (write-ahead), and recreates the machine with `GroupStateMachine(restoring:config:now:)`.
///
/// Instants here are the controller's clock. Safety never depends on them across a restart
/// (lease bookkeeping restarts conservatively); the cooldown end does, so a controller that
/// moves hosts should use a clock that survives that (e.g. wall-clock milliseconds).
public struct GroupStatus: Sendable, Hashable, Codable {
    /// Increases with every change of the controller's word.
    public var term: UInt64
    /// The designated primary (the one the controller's word names); nil between deposing an
    /// old primary and promoting a new one.
    public var primary: String?
    public var primaryMayWrite: Bool
    public var state: GroupState
    /// End of the anti-flap window; nil when none.
    public var cooldownUntil: Instant?
    public var operation: GroupOperation?
    public var quarantined: [String: QuarantineRecord] = [:]
    /// Instances that must pass the containment check against `forkPoint` before they
    /// replicate again (a former primary, a replica that missed a failover).
    public var pendingRejoin: [String: RejoinCheck] = [:]
    /// The new primary's executed GTIDs at the last promotion (failover or switchover), read
    /// just before it became writable: every write acknowledged until then is in it, so in
    /// semi-sync mode a candidate must hold it.
    public var lastPromotionBaseline: GTIDState?
    public var lastFailover: FailoverRecord?
    public var lastSwitchover: SwitchoverRecord?
    /// Operator commands, newest last (bounded).
    public var operatorLog: [OperatorRecord] = []
    public var decisionCount: UInt64 = 0
    public var nextActionID: UInt64 = 1

    public init(primary: String?) {
        term = 1
        self.primary = primary
        primaryMayWrite = primary != nil
        state = primary == nil ? .blocked(.noPrimary) : .healthy
    }

    /// What every heartbeat reply says.
    public var word: ControllerWord {
        ControllerWord(term: term, primary: primary, primaryMayWrite: primaryMayWrite)
    }

    public func isQuarantined(_ name: String) -> Bool { quarantined[name] != nil }

    public var failover: FailoverProgress? {
        if case .failover(let progress) = operation { return progress }
        return nil
    }

    public var switchover: SwitchoverProgress? {
        if case .switchover(let progress) = operation { return progress }
        return nil
    }
}

/// The containment check a returning instance must pass.
public struct RejoinCheck: Sendable, Hashable, Codable {
    /// The promotion GTIDs of the failover it missed (nil when unknown); MariaDB positions
    /// need it to recognise an old primary's unreplicated tail.
    public var forkPoint: GTIDState?
    /// False once an operator lifted its quarantine: it rejoins as it is.
    public var checkContainment: Bool
    public var since: Instant

    public init(forkPoint: GTIDState?, checkContainment: Bool = true, since: Instant) {
        self.forkPoint = forkPoint
        self.checkContainment = checkContainment
        self.since = since
    }
}
