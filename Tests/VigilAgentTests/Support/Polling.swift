import Foundation

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var after: Duration
    var description: String { "timed out after \(after) waiting for \(what)" }
}

struct ConditionBroke: Error, CustomStringConvertible {
    var what: String
    var after: Duration
    var description: String { "\(what) stopped holding after \(after)" }
}

/// Polls `probe` until it yields a value; throws after `timeout`. Polling, not sleeping as
/// synchronisation: the interval only bounds how often we look.
func eventually<T>(
    _ what: String, timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20),
    _ probe: () async throws -> T?
) async throws -> T {
    let start = ContinuousClock.now
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now - start >= timeout { throw TimedOut(what: what, after: timeout) }
        try await Task.sleep(for: interval)
    }
}

/// As above for a condition.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    _ = try await eventually(what, timeout: timeout, interval: interval) { try await condition() ? true : nil }
}

/// Checks that `condition` holds throughout `window` (sampled every `interval`).
func holds(
    _ what: String, for window: Duration, interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async throws {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < window {
        guard try await condition() else { throw ConditionBroke(what: what, after: ContinuousClock.now - start) }
        try await Task.sleep(for: interval)
    }
    guard try await condition() else { throw ConditionBroke(what: what, after: window) }
}
