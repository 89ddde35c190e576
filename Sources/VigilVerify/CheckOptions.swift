public struct CheckOptions: Sendable, Equatable {
    /// A failover counts as caused by a fault when a fault period started at most this long
    /// before it; otherwise it is reported as a false positive.
    public var failoverWindowMs: Int64
    /// Widens the interval in which a role transition may justify a change of acknowledging
    /// server, to absorb skew between when the controller acted and when the runner recorded it.
    public var transitionSlackMs: Int64
    /// Only in async mode: lost acknowledged writes are reported but do not fail the verdict.
    public var allowLoss: Bool

    public init(failoverWindowMs: Int64 = 30_000, transitionSlackMs: Int64 = 0, allowLoss: Bool = false) {
        self.failoverWindowMs = failoverWindowMs
        self.transitionSlackMs = transitionSlackMs
        self.allowLoss = allowLoss
    }
}
