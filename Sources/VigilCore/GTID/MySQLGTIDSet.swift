/// A MySQL GTID set such as `3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,uuid2:tag:1-3`.
///
/// The value is always normalized (intervals sorted and merged, no empty sources), so `==`
/// is set equality and `description` is the canonical text: UUIDs lowercase and sorted,
/// untagged intervals before tagged ones, tags sorted, `n` for a single GNO, `a-b` for a
/// range, and `""` for the empty set.
public struct MySQLGTIDSet: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// MySQL GNOs are positive signed 64-bit numbers.
    public static let maxGNO = UInt64(Int64.max)
    public static let validGNOs: ClosedRange<UInt64> = 1...maxGNO
    public static let empty = MySQLGTIDSet()

    /// Normalized intervals per source; never holds an empty list.
    private var storage: [GTIDSource: [ClosedRange<UInt64>]]

    public init() {
        storage = [:]
    }

    /// Builds a set from intervals in any order. GNOs outside `validGNOs` cannot exist in
    /// MySQL and are dropped rather than trapping.
    public init(_ intervals: [GTIDSource: [ClosedRange<UInt64>]]) {
        storage = [:]
        for (source, list) in intervals {
            let clamped = list.compactMap { $0.overlaps(Self.validGNOs) ? $0.clamped(to: Self.validGNOs) : nil }
            let normalized = IntervalMath.normalize(clamped)
            if !normalized.isEmpty { storage[source] = normalized }
        }
    }

    private init(normalized: [GTIDSource: [ClosedRange<UInt64>]]) {
        storage = normalized.filter { !$0.value.isEmpty }
    }

    /// Returns nil on malformed text; use `init(parsing:)` to learn why.
    public init?(_ description: String) {
        guard let set = try? MySQLGTIDSet(parsing: description) else { return nil }
        self = set
    }

    public var isEmpty: Bool { storage.isEmpty }

    /// Number of transactions in the set (saturating at `UInt64.max`).
    public var count: UInt64 {
        var total: UInt64 = 0
        for list in storage.values {
            let (sum, overflow) = total.addingReportingOverflow(IntervalMath.count(list))
            if overflow { return .max }
            total = sum
        }
        return total
    }

    /// Sources with at least one transaction, in canonical order.
    public var sources: [GTIDSource] { storage.keys.sorted() }

    /// The merged, sorted intervals for one source (empty if none).
    public func intervals(for source: GTIDSource) -> [ClosedRange<UInt64>] {
        storage[source] ?? []
    }

    /// Whether the single transaction `source:gno` is in the set.
    public func contains(_ gno: UInt64, from source: GTIDSource) -> Bool {
        storage[source].map { IntervalMath.contains($0, gno: gno) } ?? false
    }

    /// Superset test: every transaction of `other` is in `self`.
    public func contains(_ other: MySQLGTIDSet) -> Bool {
        other.storage.allSatisfy { source, list in
            storage[source].map { IntervalMath.contains($0, list) } ?? false
        }
    }

    public func isSubset(of other: MySQLGTIDSet) -> Bool { other.contains(self) }

    public func isDisjoint(with other: MySQLGTIDSet) -> Bool { intersection(other).isEmpty }

    public func union(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result = storage
        for (source, list) in other.storage {
            result[source] = IntervalMath.union(result[source] ?? [], list)
        }
        return MySQLGTIDSet(normalized: result)
    }

    public mutating func formUnion(_ other: MySQLGTIDSet) { self = union(other) }

    /// Transactions in `self` that are not in `other`.
    public func subtracting(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result: [GTIDSource: [ClosedRange<UInt64>]] = [:]
        for (source, list) in storage {
            result[source] = other.storage[source].map { IntervalMath.subtracting(list, $0) } ?? list
        }
        return MySQLGTIDSet(normalized: result)
    }

    /// Transactions in `other` that `self` lacks (`other - self`).
    public func missing(from other: MySQLGTIDSet) -> MySQLGTIDSet { other.subtracting(self) }

    public func intersection(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result: [GTIDSource: [ClosedRange<UInt64>]] = [:]
        for (source, list) in storage {
            if let otherList = other.storage[source] {
                result[source] = IntervalMath.intersection(list, otherList)
            }
        }
        return MySQLGTIDSet(normalized: result)
    }

    /// Adds `interval` for `source`; GNOs outside `validGNOs` are dropped.
    public mutating func insert(_ interval: ClosedRange<UInt64>, for source: GTIDSource) {
        formUnion(MySQLGTIDSet([source: [interval]]))
    }

    public var description: String {
        var entries: [String] = []
        var current: ServerUUID?
        var entry = ""
        for source in sources {
            if source.uuid != current {
                if current != nil { entries.append(entry) }
                current = source.uuid
                entry = source.uuid.description
            }
            if let tag = source.tag { entry += ":" + tag.rawValue }
            for interval in storage[source] ?? [] {
                entry += interval.lowerBound == interval.upperBound
                    ? ":\(interval.lowerBound)" : ":\(interval.lowerBound)-\(interval.upperBound)"
            }
        }
        if current != nil { entries.append(entry) }
        return entries.joined(separator: ",")
    }

    // Codable as the canonical text: what humans and MySQL both read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try MySQLGTIDSet(parsing: container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
