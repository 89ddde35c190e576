/// A point in time as a plain value: milliseconds since an arbitrary epoch chosen by whoever
/// injects the clock. The decision core never reads a clock; time arrives as an `Instant`
/// so that simulations can run thousands of seeded schedules deterministically.
///
/// Arithmetic uses the standard library's `Duration` and saturates instead of trapping, so a
/// "practically infinite" timeout (e.g. `.seconds(Int64.max)`) is safe to add.
/// Sub-millisecond parts of a `Duration` are truncated toward zero.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The epoch itself; handy as a simulation start.
    public static let zero = Instant(millisecondsSinceEpoch: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func advanced(by duration: Duration) -> Instant {
        Instant(millisecondsSinceEpoch: Self.saturatingAdd(millisecondsSinceEpoch, duration.wholeMilliseconds))
    }

    /// `self - earlier`; negative when `earlier` is in fact later.
    public func duration(since earlier: Instant) -> Duration {
        let (diff, overflow) = millisecondsSinceEpoch.subtractingReportingOverflow(earlier.millisecondsSinceEpoch)
        if overflow { return .milliseconds(earlier.millisecondsSinceEpoch > 0 ? Int64.min : Int64.max) }
        return .milliseconds(diff)
    }

    public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
    public static func - (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: .zero - rhs) }
    public static func - (lhs: Instant, rhs: Instant) -> Duration { lhs.duration(since: rhs) }
    public static func += (lhs: inout Instant, rhs: Duration) { lhs = lhs + rhs }
    public static func -= (lhs: inout Instant, rhs: Duration) { lhs = lhs - rhs }

    public var description: String { "@\(millisecondsSinceEpoch)ms" }

    // Encoded as a bare number: snapshots are logged and replayed, keep them compact.
    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? .max : .min }
        return sum
    }
}

extension Duration {
    /// Whole milliseconds, truncated toward zero and saturated to the `Int64` range.
    public var wholeMilliseconds: Int64 {
        // `components` traps beyond Int64 seconds; anything near that saturates anyway.
        let approximateSeconds = self / .seconds(1)
        if approximateSeconds >= 9.3e15 { return .max }
        if approximateSeconds <= -9.3e15 { return .min }
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds > 0 ? .max : .min }
        let (total, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds > 0 ? .max : .min }
        return total
    }
}
