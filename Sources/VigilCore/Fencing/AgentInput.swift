/// Everything that can happen to an agent's self-fencing logic. Instants are the agent's own
/// monotonic clock.
public enum AgentInput: Sendable, Hashable, Codable {
    /// The agent process started: fence first.
    case started
    /// A heartbeat reply. `requestSentAt` is when the agent sent the heartbeat it answers (the
    /// lease counts from there). Unauthenticated words are ignored.
    case controllerWord(ControllerWord, requestSentAt: Instant, authenticated: Bool)
    /// A peer's answer to our ping, sent at `requestSentAt`.
    case peerAnswered(peer: String, PeerVouch, requestSentAt: Instant)
    /// A local look at mysqld (a periodic probe or the re-read the agent asked for). It must
    /// have been read after the last fence / unfence completed: a reading taken before a fence
    /// statement and delivered after its confirmation looks like "someone lifted the fence" (the
    /// agent discards readings that overlap a fence or unfence and takes a fresh one).
    case serverObserved(ServerProcessState)
    case fenceCompleted(FenceResult)
    case unfenceCompleted(FenceResult)
    /// Timer: re-evaluate the lease (call at `AgentDecision.wakeAt`, or on any schedule).
    case tick
}

/// What the agent must do to its own mysqld.
public enum AgentAction: Sendable, Hashable, Codable {
    /// `SET GLOBAL super_read_only = ON` (MySQL) / `read_only = ON` (MariaDB), then kill client
    /// connections; report with `fenceCompleted`.
    case fence(FenceReason)
    /// `read_only = OFF`: only on the controller's authenticated word; report with `unfenceCompleted`.
    case unfence
    /// Read `read_only` again after an ambiguous result; report with `serverObserved`.
    case reReadServerState
    /// The fence could not be confirmed within `fenceEscalation`: kill mysqld (SIGKILL), then
    /// report `serverObserved(.exited)`.
    case killServer(FenceReason)
}

/// Why the agent's fence stands as it does after an input.
public enum AgentReason: Sendable, Hashable, Codable {
    case agentStarted
    case leaseRenewedByController
    case leaseRenewedByPeer(String)
    case controllerAllowsWrites
    case deposed(term: UInt64)
    case leaseExpired
    case notAllowedToWrite
    case serverRestarted
    case serverDown
    case fenceConfirmed
    case fenceUnconfirmed(String)
    case escalatedToKill
    case unfenceConfirmed
    case ignoredUnauthenticatedWord
    case ignoredStaleWord(term: UInt64)
    case unchanged
}

/// The agent's answer to one input.
public struct AgentDecision: Sendable, Hashable, Codable {
    public var actions: [AgentAction]
    public var fence: FenceState
    public var reason: AgentReason
    /// Call `handle(.tick)` no later than this (lease expiry, fence escalation, re-read retry).
    public var wakeAt: Instant?

    public init(actions: [AgentAction], fence: FenceState, reason: AgentReason, wakeAt: Instant?) {
        self.actions = actions
        self.fence = fence
        self.reason = reason
        self.wakeAt = wakeAt
    }
}
