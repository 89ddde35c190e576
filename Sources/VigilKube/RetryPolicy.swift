/// When and how long to wait before retrying a failed call: exponential backoff with full
/// jitter, capped, and never shorter than the server's `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, including the first.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured (a server asking for an hour is not waited for).
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(100),
                maxBackoff: Duration = .seconds(5), maxRetryAfter: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (`attempt` ≥ 1 has just failed).
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Int?) -> Duration {
        let exponent = min(attempt - 1, 20)
        let ceiling = min(initialBackoff * (1 << exponent), maxBackoff)
        // Half fixed, half random: spreads retries of many clients without ever waiting ~0.
        let jittered = ceiling / 2 + ceiling / 2 * Double.random(in: 0...1)
        if let retryAfterSeconds, retryAfterSeconds > 0 {
            return max(jittered, min(.seconds(retryAfterSeconds), maxRetryAfter))
        }
        return jittered
    }
}
