import VigilMySQL
import VigilVerify

typealias Operation = VigilVerify.Operation

/// The SQL behind each `vigil verify` workload: set-up, one client operation, final reads.
/// Every write runs in one transaction through the read-write port; a write whose fate the
/// client cannot know is `unknown`, never `fail` (see `VerifyRun.outcome(of:)`).
enum VerifyWorkload {
    static let bankAccounts = 8
    static let bankInitialBalance = 1_000
    static let listKeys = 8

    static func parse(_ name: String) -> Workload? {
        switch name {
        case "unique-inserts": .uniqueInserts
        case "bank": .bank(accounts: bankAccounts, initialBalance: bankInitialBalance)
        case "list-append": .listAppend(keys: listKeys)
        default: nil
        }
    }

    static func prepare(_ workload: Workload, on conn: MySQLConnection) async throws {
        switch workload {
        case .uniqueInserts:
            try await conn.query("CREATE TABLE IF NOT EXISTS verify_inserts (k BIGINT PRIMARY KEY, client INT NOT NULL)")
            try await conn.query("DELETE FROM verify_inserts")
        case .bank(let accounts, let balance):
            try await conn.query("CREATE TABLE IF NOT EXISTS verify_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)")
            // Which transfers committed: balances alone cannot name a lost transfer.
            try await conn.query("CREATE TABLE IF NOT EXISTS verify_ledger (op BIGINT PRIMARY KEY)")
            try await conn.query("DELETE FROM verify_accounts")
            try await conn.query("DELETE FROM verify_ledger")
            let rows = (0..<accounts).map { "(\($0), \(balance))" }.joined(separator: ", ")
            try await conn.query("INSERT INTO verify_accounts (id, balance) VALUES \(rows)")
        case .listAppend:
            // The auto-increment id orders a key's values: allocated when the append runs, so
            // an append invoked after another was acknowledged always sorts after it.
            try await conn.query("CREATE TABLE IF NOT EXISTS verify_lists (id BIGINT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, v BIGINT NOT NULL, KEY (k, id))")
            try await conn.query("DELETE FROM verify_lists")
        }
    }

    /// Picks and runs one operation; returns what was done (reads carry what they saw).
    static func operation(_ workload: Workload, client: Int, sequence: Int, id: Int, random: inout SplitMix,
                          on conn: MySQLConnection) async -> (Op, Operation.Outcome, String?) {
        switch workload {
        case .uniqueInserts:
            let key = client * 10_000_000 + sequence
            let (outcome, gtid) = await run(conn, ["INSERT INTO verify_inserts (k, client) VALUES (\(key), \(client))"])
            return (.insert(key: key), outcome, gtid)
        case .bank(let accounts, _):
            if random.next() % 4 == 0 {
                do {
                    try await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
                    let rows = try await conn.query("SELECT id, balance FROM verify_accounts").rows
                    try await conn.query("COMMIT")
                    var balances: [Int: Int] = [:]
                    for row in rows { if let id = row[0].int, let balance = row[1].int { balances[Int(id)] = Int(balance) } }
                    return (.readBalances(balances), .ok, nil)
                } catch {
                    return (.readBalances(nil), .fail, nil)  // a read that failed changed nothing
                }
            }
            let from = Int(random.next() % UInt64(accounts))
            let to = (from + 1 + Int(random.next() % UInt64(accounts - 1))) % accounts
            let amount = 1 + Int(random.next() % 20)
            // The debit is guarded (balances never go negative): when it moves nothing, the
            // transaction is rolled back and the transfer did not happen.
            let (outcome, gtid) = await run(conn, [
                "START TRANSACTION",
                "UPDATE verify_accounts SET balance = balance - \(amount) WHERE id = \(from) AND balance >= \(amount)",
                "UPDATE verify_accounts SET balance = balance + \(amount) WHERE id = \(to)",
                "INSERT INTO verify_ledger (op) VALUES (\(id))",
                "COMMIT",
            ], guardFirstUpdate: true)
            return (.transfer(from: from, to: to, amount: amount), outcome, gtid)
        case .listAppend(let keys):
            let key = Int(random.next() % UInt64(keys))
            if random.next() % 5 == 0 {
                do {
                    let rows = try await conn.query("SELECT v FROM verify_lists WHERE k = \(key) ORDER BY id").rows
                    return (.readList(key: key, values: rows.compactMap { $0[0].int.map(Int.init) }), .ok, nil)
                } catch {
                    return (.readList(key: key, values: nil), .fail, nil)
                }
            }
            let value = client * 10_000_000 + sequence
            let (outcome, gtid) = await run(conn, ["INSERT INTO verify_lists (k, v) VALUES (\(key), \(value))"])
            return (.append(key: key, value: value), outcome, gtid)
        }
    }

    /// Runs statements in order; an acknowledged write comes with the GTID it committed under
    /// (tracked by the session: see `VerifyRun.clientLoop`). With `guardFirstUpdate`, a first
    /// UPDATE (after START TRANSACTION) that changed no row rolls back: a plain failure.
    static func run(_ conn: MySQLConnection, _ statements: [String], guardFirstUpdate: Bool = false) async -> (Operation.Outcome, String?) {
        do {
            var gtid: String?
            for (index, statement) in statements.enumerated() {
                let result = try await conn.query(statement)
                if guardFirstUpdate, index == 1, result.affectedRows == 0 {
                    try await conn.query("ROLLBACK")
                    return (.fail, nil)
                }
                gtid = result.trackedSystemVariables["last_gtid"] ?? gtid
            }
            return (.ok, gtid)
        } catch {
            return (outcome(of: error), nil)
        }
    }

    /// Only errors that prove the statement did not commit are failures. A killed session
    /// (a fence) or an interrupted query may have committed and be waiting for its semi-sync
    /// acknowledgement: unknown.
    static func outcome(of error: MySQLError) -> Operation.Outcome {
        guard case .server(let server) = error else { return .unknown }
        let notApplied: Set<UInt16> = [1290, 1836, 1062, 1205, 1213, 1146, 1142]  // read-only (×2), duplicate, lock wait, deadlock, no table, denied
        return notApplied.contains(server.code) ? .fail : .unknown
    }

    /// What one instance holds at the end, read with the admin account.
    static func finalRead(_ workload: Workload, name: String, role: String?, gtid: String?,
                          on conn: MySQLConnection) async -> FinalRead {
        switch workload {
        case .uniqueInserts:
            let keys = try? await conn.query("SELECT k FROM verify_inserts").rows.compactMap { $0[0].int.map(Int.init) }
            return FinalRead(instance: name, reachable: keys != nil, role: role, insertedKeys: keys, gtidExecuted: gtid)
        case .bank:
            let rows = try? await conn.query("SELECT id, balance FROM verify_accounts").rows
            let ledger = try? await conn.query("SELECT op FROM verify_ledger").rows.compactMap { $0[0].int.map(Int.init) }
            var balances: [Int: Int]?
            if let rows {
                balances = [:]
                for row in rows { if let id = row[0].int, let balance = row[1].int { balances?[Int(id)] = Int(balance) } }
            }
            return FinalRead(instance: name, reachable: rows != nil, role: role, balances: balances, transfers: ledger, gtidExecuted: gtid)
        case .listAppend(let keys):
            let rows = try? await conn.query("SELECT k, v FROM verify_lists ORDER BY id").rows
            var lists: [Int: [Int]]?
            if let rows {
                var built = Dictionary(uniqueKeysWithValues: (0..<keys).map { ($0, [Int]()) })
                for row in rows { if let k = row[0].int, let v = row[1].int { built[Int(k), default: []].append(Int(v)) } }
                lists = built
            }
            return FinalRead(instance: name, reachable: rows != nil, role: role, lists: lists, gtidExecuted: gtid)
        }
    }
}
