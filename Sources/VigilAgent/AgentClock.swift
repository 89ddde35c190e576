import VigilCore

/// The agent's monotonic clock as `Instant`s (milliseconds since the agent started), the
/// time base `SelfFencing` reasons in. Never compared across hosts.
struct AgentClock: Sendable {
    private let origin: ContinuousClock.Instant

    init() {
        origin = ContinuousClock.now
    }

    func now() -> Instant {
        Instant(millisecondsSinceEpoch: (ContinuousClock.now - origin).wholeMilliseconds)
    }

    /// How long from now until `instant` (negative when past).
    func duration(until instant: Instant) -> Duration {
        instant - now()
    }
}
