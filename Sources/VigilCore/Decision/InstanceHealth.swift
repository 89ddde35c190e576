/// Debounced health of one instance, from the controller's own probes and the agents' reports.
/// Missed probes count one by one up to `failureThreshold`; an agent on a live host saying its
/// mysqld refused or exited is proof and counts at once. Agent silence counts for nothing.
public struct InstanceHealth: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// No probe yet.
        case unknown
        case up
        case down
    }

    public private(set) var verdict: Verdict = .unknown
    public private(set) var consecutiveFailures = 0
    public private(set) var consecutiveSuccesses = 0
    /// Since when the instance's death is proven (agent report), until any sign of life.
    public private(set) var provenDeadSince: Instant?
    /// The last probe that reached it.
    public private(set) var lastReachedAt: Instant?

    public init() {}

    public var isUp: Bool { verdict == .up }
    public var isDeathProven: Bool { provenDeadSince != nil }

    public mutating func probed(reachable: Bool, at now: Instant, failureThreshold: Int, recoveryThreshold: Int) {
        if reachable {
            consecutiveSuccesses += 1
            consecutiveFailures = 0
            lastReachedAt = now
            provenDeadSince = nil
            // A first sighting needs no debounce: there is no flap to hide yet.
            if verdict == .unknown || consecutiveSuccesses >= recoveryThreshold { verdict = .up }
        } else {
            consecutiveFailures += 1
            consecutiveSuccesses = 0
            if consecutiveFailures >= failureThreshold { verdict = .down }
        }
    }

    /// What the instance's agent says about its server.
    public mutating func agentSaw(_ server: ServerProcessState, at now: Instant) {
        if server.isDown {
            if provenDeadSince == nil { provenDeadSince = now }
            verdict = .down
            consecutiveSuccesses = 0
        } else if case .running = server {
            provenDeadSince = nil
        }
    }
}
