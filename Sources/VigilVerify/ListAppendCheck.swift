public struct ListAppendFindings: Codable, Sendable, Equatable {
    /// Acknowledged appends absent from the final primary (also listed in `Report.lostWrites`).
    public var lostAppends: [Int]
    public var duplicates: [ListDuplicate]
    public var reorders: [ListReorder]

    /// Duplicates and reorders; lost appends count as losses (excusable in async mode).
    public var hasOrderingAnomaly: Bool { !duplicates.isEmpty || !reorders.isEmpty }
}

/// A value present twice in one read (reported once per key and value, with the first read
/// that showed it).
public struct ListDuplicate: Codable, Sendable, Equatable {
    public var source: ReadSource
    public var key: Int
    public var value: Int
}

/// `earlier` was acknowledged before `later` was invoked, yet a read shows `later`'s value
/// before `earlier`'s (reported once per pair, with the first read that showed it).
public struct ListReorder: Codable, Sendable, Equatable {
    public var source: ReadSource
    public var key: Int
    public var earlier: Int
    public var earlierValue: Int
    public var later: Int
    public var laterValue: Int
}

/// List-append anomalies in every successful read and every reachable final read. Each
/// appended value is unique per key, so a value names its append operation.
///
/// Reads of a key mostly repeat the previous read plus a few new elements, so the scan state
/// at the end of the longest list checked so far is kept per key: a read that extends it only
/// scans its new suffix, a read that is a prefix of it has nothing new. That keeps the cost
/// near the number of elements appended rather than the sum of all read lengths.
struct ListAppendCheck {
    /// What the scan needs of an append: when it started, and when it was acknowledged
    /// (`Int64.max` when it was not, so it never counts as acknowledged-before anything).
    private struct Append {
        let id: Int
        let invoked: Int64
        let acknowledged: Int64
    }

    /// The state of a left-to-right scan after `values`.
    private struct Scan {
        var values: [Int] = []
        var seen: Set<Int> = []
        /// The element so far that was invoked last: any later element acknowledged before
        /// that invocation is out of order.
        var latestInvoked: Append?
    }

    private var appends: [Int: [Int: Append]] = [:]
    private var longest: [Int: Scan] = [:]
    private var findings: ListAppendFindings
    private var reported: Set<[Int]> = []

    static func check(_ history: History, lost: [WriteFinding]) -> ListAppendFindings {
        var check = ListAppendCheck(findings: ListAppendFindings(
            lostAppends: lost.filter { $0.kind == "append" }.map(\.operationID), duplicates: [], reorders: []))
        for operation in history.operations.sorted(by: { $0.id < $1.id }) {
            if case .append(let key, let value) = operation.op, check.appends[key]?[value] == nil {
                let acknowledged = operation.outcome == .ok ? operation.completedAtMs ?? .max : .max
                check.appends[key, default: [:]][value] = Append(id: operation.id, invoked: operation.invokedAtMs, acknowledged: acknowledged)
            }
        }
        for operation in history.operations.sorted(by: { $0.id < $1.id }) where operation.outcome == .ok {
            if case .readList(let key, let values?) = operation.op {
                check.inspect(key: key, values: values, source: ReadSource(operationID: operation.id))
            }
        }
        for read in history.finalReads.sorted(by: { $0.instance < $1.instance }) where read.reachable {
            for (key, values) in (read.lists ?? [:]).sorted(by: { $0.key < $1.key }) {
                check.inspect(key: key, values: values, source: ReadSource(instance: read.instance))
            }
        }
        return check.findings
    }

    private init(findings: ListAppendFindings) {
        self.findings = findings
    }

    private mutating func inspect(key: Int, values: [Int], source: ReadSource) {
        if var known = longest.removeValue(forKey: key) {
            let shared = min(known.values.count, values.count)
            if known.values[..<shared] == values[..<shared] {
                if values.count > known.values.count {
                    scan(&known, key: key, suffix: values[shared...], source: source)
                }
                longest[key] = known
                return
            }
            longest[key] = known
        }
        var fresh = Scan()
        scan(&fresh, key: key, suffix: values[...], source: source)
        if fresh.values.count > longest[key]?.values.count ?? -1 { longest[key] = fresh }
    }

    private mutating func scan(_ state: inout Scan, key: Int, suffix: ArraySlice<Int>, source: ReadSource) {
        let known = appends[key] ?? [:]
        for value in suffix {
            if !state.seen.insert(value).inserted, reported.insert([0, key, value]).inserted {
                findings.duplicates.append(ListDuplicate(source: source, key: key, value: value))
            }
            guard let current = known[value] else { continue }
            if let later = state.latestInvoked, current.acknowledged < later.invoked,
               reported.insert([1, key, current.id, later.id]).inserted {
                findings.reorders.append(ListReorder(
                    source: source, key: key, earlier: current.id, earlierValue: value, later: later.id,
                    laterValue: appendedValue(key: key, id: later.id, in: known)))
            }
            if current.invoked > state.latestInvoked?.invoked ?? .min { state.latestInvoked = current }
        }
        state.values += suffix
    }

    /// Only on the rare reorder path: the value of a known append.
    private func appendedValue(key: Int, id: Int, in known: [Int: Append]) -> Int {
        known.first { $0.value.id == id }?.key ?? 0
    }
}
