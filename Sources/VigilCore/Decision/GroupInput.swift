/// Everything the group state machine reacts to. The executor stamps each with `now`.
public enum GroupInput: Sendable, Hashable, Codable {
    /// One round of the controller's own probes.
    case probed(GroupSnapshot)
    /// An agent heartbeat; the decision carries the reply (`GroupAction.Kind.replyToAgent`).
    case agentReported(AgentReport)
    /// The result of an action the machine issued.
    case actionCompleted(ActionID, ActionResult)
    /// Timer: call at `Decision.wakeAt` (or any time; it only re-evaluates).
    case tick
    /// A planned switchover, to `target` or to the best candidate.
    case switchoverRequested(target: String?)
    case operatorCommand(OperatorCommand)
}

/// Explicit operator decisions. Each is recorded in `GroupStatus.operatorLog`.
public enum OperatorCommand: Sendable, Hashable, Codable {
    /// End the anti-flap cooldown now.
    case overrideCooldown
    /// Lift a quarantine: the instance rejoins as a replica without the containment check (the
    /// operator dealt with its divergent transactions).
    case unquarantine(String)
    /// Make this instance the primary, accepting any loss the automatic rules would refuse
    /// (unaccounted replicas, a quarantined or incomplete candidate). Fencing is never skipped:
    /// the old primary is still fenced or waited out first.
    case forcePromote(String)
}

public struct ActionID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ActionID, rhs: ActionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// How an action ended. Ambiguous outcomes (a timeout after sending) are failures: the machine
/// never treats an unconfirmed effect as done.
public enum ActionResult: Sendable, Hashable, Codable {
    /// Done; `observation` is the instance as read right after (GTIDs, read_only, replica
    /// status) when the action reads it back, which most do.
    case succeeded(InstanceObservation?)
    case failed(String)

    public var succeeded: Bool {
        if case .succeeded = self { return true }
        return false
    }

    public var observation: InstanceObservation? {
        if case .succeeded(let observation) = self { return observation }
        return nil
    }
}
