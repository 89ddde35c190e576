/// What the checker found in one history. Every list is sorted (by time, then id) so two
/// runs of the checker on the same history give byte-identical JSON.
public struct Report: Codable, Sendable, Equatable {
    public var workload: String
    public var seed: UInt64
    public var mode: String
    public var counts: OperationCounts
    /// The reachable instance that reported role "primary" after healing; nil if none or several.
    public var finalPrimary: String?
    /// Acknowledged writes whose effect is absent from the final primary.
    public var lostWrites: [WriteFinding]
    /// Per reachable non-primary instance: acknowledged writes the final primary has but it lacks.
    public var replicationGaps: [ReplicationGap]
    public var unknownWrites: UnknownWrites
    /// Writes the server refused that are present anyway (informational: breaks "fail = did not happen").
    public var failedButLanded: [WriteFinding]
    public var splitBrain: [SplitBrainWindow]
    public var bank: BankFindings?
    public var listAppend: ListAppendFindings?
    public var recovery: RecoveryReport
    /// Failover transitions with no fault period starting shortly before them.
    public var falsePositiveFailovers: [RoleTransition]
    public var errantTransactions: [ErrantTransactions]
    /// What the checker could not decide (missing reads, unparseable GTIDs...).
    public var notes: [String]
    public var verdict: Verdict
}

public struct OperationCounts: Codable, Sendable, Equatable {
    public var total: Int
    public var ok: Int
    public var fail: Int
    public var unknown: Int
    public var writes: Int
    public var acknowledgedWrites: Int
}

public struct WriteFinding: Codable, Sendable, Equatable {
    public var operationID: Int
    public var client: Int
    public var kind: String
    /// The inserted key, or the list key of an append; nil for transfers.
    public var key: Int?
    /// The appended value.
    public var value: Int?
    public var server: String?
    public var gtid: String?
    public var invokedAtMs: Int64
    public var completedAtMs: Int64?

    init(_ operation: Operation) {
        operationID = operation.id
        client = operation.client
        kind = operation.op.kind
        switch operation.op {
        case .insert(let key): self.key = key; value = nil
        case .append(let key, let value): self.key = key; self.value = value
        default: key = nil; value = nil
        }
        server = operation.server
        gtid = operation.gtid
        invokedAtMs = operation.invokedAtMs
        completedAtMs = operation.completedAtMs
    }
}

public struct ReplicationGap: Codable, Sendable, Equatable {
    public var instance: String
    public var role: String?
    public var missingOperationIDs: [Int]
}

public struct UnknownWrites: Codable, Sendable, Equatable {
    public var landed: [Int]
    public var notLanded: [Int]
    /// The final state cannot say (e.g. transfers without a ledger, or no final primary).
    public var undetermined: [Int]
}

/// Where a read came from: a client read operation or a final read of an instance.
public struct ReadSource: Codable, Sendable, Equatable, CustomStringConvertible {
    public var operationID: Int?
    public var instance: String?

    public var description: String {
        if let operationID { return "read #\(operationID)" }
        return "final read of \(instance ?? "?")"
    }
}
