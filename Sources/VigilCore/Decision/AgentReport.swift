/// One heartbeat from an agent, as the controller receives it. Carries no agent instants:
/// clocks are never compared across hosts.
public struct AgentReport: Sendable, Hashable, Codable {
    /// The agent's fence as it reports it.
    public enum Fence: String, Sendable, Hashable, Codable {
        case unfenced
        case fencing
        case fenced
    }

    public var instance: String
    /// The highest term the agent holds.
    public var term: UInt64
    public var believedPrimary: String?
    public var fence: Fence
    public var server: ServerProcessState
    /// Whether this agent can reach the primary's mysqld (its own connection attempt or its
    /// replica's IO thread); nil when it has no opinion (it is the primary, or never tried).
    public var primaryReachable: Bool?

    public init(
        instance: String, term: UInt64, believedPrimary: String?, fence: Fence, server: ServerProcessState,
        primaryReachable: Bool? = nil
    ) {
        self.instance = instance
        self.term = term
        self.believedPrimary = believedPrimary
        self.fence = fence
        self.server = server
        self.primaryReachable = primaryReachable
    }
}

extension AgentReport.Fence {
    public init(_ state: FenceState) {
        switch state {
        case .unfenced: self = .unfenced
        case .fencing: self = .fencing
        case .fenced: self = .fenced
        }
    }
}
