import Foundation
import VigilCore

/// The controller's clock (local or operator) for the decision core: wall-clock milliseconds at start-up
/// plus monotonic time since. Monotonic within a process (lease waits never shrink when the
/// wall clock is stepped), and close to wall time across restarts, which the persisted
/// cooldown end needs.
public struct ControllerClock: Sendable {
    private let wallAtStart: Int64
    private let monotonicAtStart: ContinuousClock.Instant

    public init() {
        wallAtStart = Int64(Date().timeIntervalSince1970 * 1000)
        monotonicAtStart = .now
    }

    public func now() -> Instant {
        Instant(millisecondsSinceEpoch: wallAtStart + (ContinuousClock.now - monotonicAtStart).wholeMilliseconds)
    }

    /// The continuous-clock moment of a controller instant (for sleeping until `wakeAt`).
    public func continuous(_ instant: Instant) -> ContinuousClock.Instant {
        monotonicAtStart + .milliseconds(instant.millisecondsSinceEpoch - wallAtStart)
    }

    public static func iso8601(_ instant: Instant) -> String {
        let date = Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
