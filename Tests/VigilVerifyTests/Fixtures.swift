@testable import VigilVerify

/// Builds operations with increasing ids so tests read like a timeline.
struct OperationLog {
    private(set) var operations: [Operation] = []

    @discardableResult
    mutating func add(
        _ op: Op, at invoked: Int64, done completed: Int64?, _ outcome: Operation.Outcome = .ok,
        server: String? = "db1", client: Int = 0, gtid: String? = nil
    ) -> Int {
        let id = operations.count + 1
        operations.append(Operation(
            id: id, client: client, op: op, invokedAtMs: invoked, completedAtMs: completed, outcome: outcome,
            server: server, gtid: gtid))
        return id
    }

    /// An acknowledged insert that took 5 ms.
    @discardableResult
    mutating func insert(_ key: Int, at time: Int64, on server: String) -> Int {
        add(.insert(key: key), at: time, done: time + 5, server: server)
    }
}

func inserts(_ history: History) -> [Int] {
    history.operations.compactMap { if case .insert(let key) = $0.op { key } else { nil } }
}

/// A clean run: db1 acknowledges, is killed (unknown writes around the kill, one refused
/// write), db2 takes over by failover, then a switchover to db3 and back to db2. db1 rejoins
/// as a caught-up replica, db3 lags one write behind.
func cleanFailoverHistory() -> (history: History, ids: [String: Int]) {
    var log = OperationLog()
    var ids: [String: Int] = [:]
    for key in 1...5 { log.insert(key, at: Int64(key) * 100, on: "db1") }
    ids["unknownLanded"] = log.add(.insert(key: 6), at: 995, done: nil, .unknown, server: "db1", client: 1)
    ids["unknownLost"] = log.add(.insert(key: 7), at: 1001, done: 2500, .unknown, server: nil, client: 2)
    ids["failed"] = log.add(.insert(key: 8), at: 1200, done: 1210, .fail, server: nil, client: 3)
    for key in 9...12 { ids["db2-\(key)"] = log.insert(key, at: 3000 + Int64(key), on: "db2") }
    for key in 13...14 { log.insert(key, at: 5000 + Int64(key), on: "db3") }
    // In flight across the switchover back: db3 committed it before handing over.
    ids["inflight"] = log.add(.insert(key: 15), at: 5995, done: 6003, server: "db3")
    for key in 16...17 { ids["db2-\(key)"] = log.insert(key, at: 6000 + Int64(key), on: "db2") }

    let present = Set(1...17).subtracting([7, 8])
    let history = History(
        workload: .uniqueInserts, seed: 42, mode: "semisync", operations: log.operations,
        faults: [
            FaultPeriod(kind: "kill-primary", target: "db1", startMs: 1000, endMs: 4000),
            FaultPeriod(kind: "switchover", target: "db3", startMs: 4990, endMs: 5005),
            FaultPeriod(kind: "switchover", target: "db2", startMs: 5990, endMs: 6005),
        ],
        transitions: [
            RoleTransition(atMs: 3000, from: "db1", to: "db2", kind: "failover"),
            RoleTransition(atMs: 5000, from: "db2", to: "db3", kind: "switchover"),
            RoleTransition(atMs: 6000, from: "db3", to: "db2", kind: "switchover"),
        ],
        finalReads: [
            FinalRead(instance: "db1", role: "replica", insertedKeys: present.sorted(), gtidExecuted: "0-2-17"),
            FinalRead(instance: "db2", role: "primary", insertedKeys: present.sorted(), gtidExecuted: "0-2-17"),
            FinalRead(instance: "db3", role: "replica", insertedKeys: present.subtracting([17]).sorted(), gtidExecuted: "0-2-16"),
        ])
    return (history, ids)
}
