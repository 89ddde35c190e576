public struct Verdict: Codable, Sendable, Equatable {
    /// No lost acknowledged write (unless excused, see `lossAllowedInAsync`), no split-brain
    /// window, no bank drift or negative balance, no list-append anomaly, and a final state
    /// the checker could read at all (no vacuous pass).
    public var passed: Bool
    /// Async mode and the caller allowed loss: acknowledged writes were lost, reported, and
    /// not counted against `passed`.
    public var lossAllowedInAsync: Bool
    /// Why `passed` is false (empty when it is true).
    public var reasons: [String]
}
