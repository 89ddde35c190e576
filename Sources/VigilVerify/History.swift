/// One `vigil verify` run as the runner recorded it: every client operation, what chaos did,
/// the role transitions the controller reported, and a direct read of every instance after
/// healing. Times are milliseconds since the run started, on the runner's one monotonic clock.
public struct History: Codable, Sendable, Equatable {
    public var workload: Workload
    public var seed: UInt64
    /// "semisync" or "async": in async mode acknowledged writes may legitimately be lost.
    public var mode: String
    public var operations: [Operation]
    public var faults: [FaultPeriod]
    public var transitions: [RoleTransition]
    public var finalReads: [FinalRead]

    public init(
        workload: Workload, seed: UInt64, mode: String, operations: [Operation],
        faults: [FaultPeriod] = [], transitions: [RoleTransition] = [], finalReads: [FinalRead] = []
    ) {
        self.workload = workload
        self.seed = seed
        self.mode = mode
        self.operations = operations
        self.faults = faults
        self.transitions = transitions
        self.finalReads = finalReads
    }
}

public enum Workload: Codable, Sendable, Equatable {
    case uniqueInserts
    case bank(accounts: Int, initialBalance: Int)
    case listAppend(keys: Int)

    public var name: String {
        switch self {
        case .uniqueInserts: "unique-inserts"
        case .bank: "bank"
        case .listAppend: "list-append"
        }
    }
}

public struct Operation: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case ok
        /// The server said no: the operation must not have taken effect.
        case fail
        /// Timeout or connection lost mid-operation: it may or may not have taken effect.
        case unknown
    }

    public var id: Int
    public var client: Int
    public var op: Op
    public var invokedAtMs: Int64
    public var completedAtMs: Int64?
    public var outcome: Outcome
    /// The instance that answered (for writes: the one that acknowledged the commit).
    public var server: String?
    /// MariaDB `@@last_gtid` after an acknowledged write, e.g. "0-2-57".
    public var gtid: String?

    public init(
        id: Int, client: Int, op: Op, invokedAtMs: Int64, completedAtMs: Int64?, outcome: Outcome,
        server: String? = nil, gtid: String? = nil
    ) {
        self.id = id
        self.client = client
        self.op = op
        self.invokedAtMs = invokedAtMs
        self.completedAtMs = completedAtMs
        self.outcome = outcome
        self.server = server
        self.gtid = gtid
    }

    /// An acknowledged write: the client was told it committed.
    public var isAcknowledgedWrite: Bool { outcome == .ok && op.isWrite }
}

public enum Op: Codable, Sendable, Equatable {
    case insert(key: Int)
    case transfer(from: Int, to: Int, amount: Int)
    /// The balances read, on ok.
    case readBalances([Int: Int]?)
    case append(key: Int, value: Int)
    /// The list read, on ok.
    case readList(key: Int, values: [Int]?)

    public var isWrite: Bool {
        switch self {
        case .insert, .transfer, .append: true
        case .readBalances, .readList: false
        }
    }

    public var kind: String {
        switch self {
        case .insert: "insert"
        case .transfer: "transfer"
        case .readBalances: "read-balances"
        case .append: "append"
        case .readList: "read-list"
        }
    }
}

/// A period during which chaos was acting (kill-primary, pause-primary, switchover, ...).
public struct FaultPeriod: Codable, Sendable, Equatable {
    public var kind: String
    public var target: String?
    public var startMs: Int64
    public var endMs: Int64?

    public init(kind: String, target: String? = nil, startMs: Int64, endMs: Int64? = nil) {
        self.kind = kind
        self.target = target
        self.startMs = startMs
        self.endMs = endMs
    }
}

public struct RoleTransition: Codable, Sendable, Equatable {
    public var atMs: Int64
    public var from: String?
    public var to: String
    /// "failover" or "switchover".
    public var kind: String

    public init(atMs: Int64, from: String? = nil, to: String, kind: String) {
        self.atMs = atMs
        self.from = from
        self.to = to
        self.kind = kind
    }
}

/// One instance read directly after healing. Only the fields of the run's workload are set.
public struct FinalRead: Codable, Sendable, Equatable {
    public var instance: String
    public var reachable: Bool
    /// "primary", "replica", ... as the instance reported it.
    public var role: String?
    public var insertedKeys: [Int]?
    public var balances: [Int: Int]?
    public var lists: [Int: [Int]]?
    /// Bank only: ids of the transfer operations whose ledger row is present. Balances alone
    /// cannot say *which* transfer went missing, so the runner writes the operation id into a
    /// ledger table in the same transaction as the transfer.
    public var transfers: [Int]?
    public var gtidExecuted: String?

    public init(
        instance: String, reachable: Bool = true, role: String? = nil, insertedKeys: [Int]? = nil,
        balances: [Int: Int]? = nil, lists: [Int: [Int]]? = nil, transfers: [Int]? = nil,
        gtidExecuted: String? = nil
    ) {
        self.instance = instance
        self.reachable = reachable
        self.role = role
        self.insertedKeys = insertedKeys
        self.balances = balances
        self.lists = lists
        self.transfers = transfers
        self.gtidExecuted = gtidExecuted
    }
}
