public struct RecoveryReport: Codable, Sendable, Equatable {
    public var faults: [FaultRecovery]
    public var byKind: [String: RTOStats]
    public var overall: RTOStats
}

public struct FaultRecovery: Codable, Sendable, Equatable {
    public var kind: String
    public var target: String?
    public var startMs: Int64
    public var endMs: Int64?
    /// Fault start → acknowledgement of the first write invoked after it; nil if none was.
    public var rtoMs: Int64?
    public var firstWrite: Int?
}

/// Nearest-rank percentiles over the faults that recovered.
public struct RTOStats: Codable, Sendable, Equatable {
    public var faults: Int
    public var recovered: Int
    public var p50Ms: Int64?
    public var p95Ms: Int64?
    public var maxMs: Int64?

    init(_ rtos: [Int64], faults: Int) {
        let sorted = rtos.sorted()
        self.faults = faults
        recovered = sorted.count
        p50Ms = Self.nearestRank(50, sorted)
        p95Ms = Self.nearestRank(95, sorted)
        maxMs = sorted.last
    }

    /// The smallest value with at least p% of the values at or below it.
    static func nearestRank(_ percent: Int, _ sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = (percent * sorted.count + 99) / 100
        return sorted[max(rank, 1) - 1]
    }
}

enum RecoveryCheck {
    /// RTO per fault. The first write *invoked* after the fault started is the first one that
    /// had to get through the fault; it is measured to its acknowledgement. Among several such
    /// writes the earliest acknowledgement counts.
    static func report(_ history: History) -> RecoveryReport {
        let acks = history.operations
            .filter { $0.isAcknowledgedWrite && $0.completedAtMs != nil }
            .sorted { ($0.invokedAtMs, $0.id) < ($1.invokedAtMs, $1.id) }
        let faults = history.faults.sorted { ($0.startMs, $0.kind) < ($1.startMs, $1.kind) }.map { fault in
            let after = acks[acks.partitioningIndex { $0.invokedAtMs > fault.startMs }...]
            let first = after.min { ($0.completedAtMs!, $0.id) < ($1.completedAtMs!, $1.id) }
            return FaultRecovery(
                kind: fault.kind, target: fault.target, startMs: fault.startMs, endMs: fault.endMs,
                rtoMs: first.map { $0.completedAtMs! - fault.startMs }, firstWrite: first?.id)
        }
        let byKind = Dictionary(grouping: faults, by: \.kind).mapValues { RTOStats($0.compactMap(\.rtoMs), faults: $0.count) }
        return RecoveryReport(faults: faults, byKind: byKind, overall: RTOStats(faults.compactMap(\.rtoMs), faults: faults.count))
    }

    /// Failovers with no fault period starting within `windowMs` before them: the controller
    /// failed over a healthy primary.
    static func falsePositiveFailovers(_ history: History, windowMs: Int64) -> [RoleTransition] {
        history.transitions
            .filter { $0.kind == "failover" }
            .filter { transition in
                !history.faults.contains { $0.startMs <= transition.atMs && $0.startMs >= transition.atMs - windowMs }
            }
            .sorted { $0.atMs < $1.atMs }
    }
}
