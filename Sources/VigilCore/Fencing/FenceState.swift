/// Why an agent fenced (or wants to fence) its instance.
public enum FenceReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The agent just started: fenced until the controller names this instance primary.
    case agentStart
    /// mysqld came back after being down: fenced again until the controller says otherwise.
    case serverRestarted
    /// Neither the controller nor a peer renewed the lease in time.
    case leaseExpired
    /// A higher term names another primary (or none).
    case deposed
    /// The controller's word keeps this instance read-only (a replica, or a primary during a
    /// switchover's hand-over).
    case notAllowedToWrite
}

/// The agent's own fence, as opposed to the server's `read_only` flag: the agent lifts only
/// fences it imposed, so it never undoes a read-only the controller set.
public enum FenceState: Sendable, Hashable, Codable {
    /// The agent imposes nothing.
    case unfenced
    /// A fence is wanted but not yet confirmed (sent, ambiguous, or being re-read) since `since`
    /// (agent clock); escalated to killing mysqld after `LeaseContract.fenceEscalation`.
    case fencing(FenceReason, since: Instant)
    /// Confirmed: the server is read-only or down.
    case fenced(FenceReason)

    public var isFenced: Bool {
        if case .unfenced = self { return false }
        return true
    }

    public var reason: FenceReason? {
        switch self {
        case .unfenced: nil
        case .fencing(let reason, _), .fenced(let reason): reason
        }
    }
}

/// How a fence or unfence statement ended.
public enum FenceResult: Sendable, Hashable, Codable {
    /// The server confirmed the new `read_only` value.
    case confirmed
    /// The server answered with an error: nothing changed.
    case failed(String)
    /// No answer (timeout, connection dropped): it may or may not have happened; re-read.
    case ambiguous(String)
}
