import VigilCore
import VigilMySQL

/// Why a result could not be turned into values. The operation that ran the statement
/// turns it into an `EngineError` naming the instance and the statement.
public enum ResultParseError: Error, Sendable {
    case invalidGTID(GTIDParseError)
    case unexpected(String)
}

/// Small typed readers over result rows, shared by both dialects. Server text is read
/// leniently where servers differ in spelling (`1`/`ON`, `Yes`/`yes`) and strictly where
/// a wrong guess would mislead a decision (GTIDs, missing columns).
extension MySQLResult {
    /// The single row a `SELECT @@…` returns.
    func singleRow(_ what: String) throws(ResultParseError) -> MySQLRow {
        guard rows.count == 1 else { throw .unexpected("\(what) returned \(rows.count) rows, expected 1") }
        return rows[0]
    }

    /// `name → value` pairs of a two-column result (`SHOW VARIABLES`, `GLOBAL_STATUS`),
    /// names lowercased because the servers disagree on their case.
    func nameValuePairs() -> [String: String] {
        var pairs: [String: String] = [:]
        for row in rows where row.count >= 2 {
            if let name = row.string(0) { pairs[name.lowercased()] = row.string(1) ?? "" }
        }
        return pairs
    }
}

extension MySQLRow {
    func requiredString(_ column: String) throws(ResultParseError) -> String {
        guard let value = self[column] else { throw .unexpected("no column \(column)") }
        guard let text = value.string else { throw .unexpected("\(column) is NULL") }
        return text
    }

    /// Text of a column that may be NULL or absent; empty text counts as absent.
    func optionalString(_ column: String) -> String? {
        guard let text = self[column]?.string, !text.isEmpty else { return nil }
        return text
    }

    func requiredFlag(_ column: String) throws(ResultParseError) -> Bool {
        let text = try requiredString(column)
        guard let flag = ServerText.flag(text) else { throw .unexpected("\(column) is '\(text)', expected a boolean") }
        return flag
    }

    func optionalUInt(_ column: String) -> UInt64? {
        optionalString(column).flatMap { UInt64($0) }
    }

    func gtids(_ column: String, flavor: Flavor) throws(ResultParseError) -> GTIDState {
        try ServerText.gtids(optionalString(column) ?? "", flavor: flavor)
    }
}

enum ServerText {
    /// `1`/`0`, `ON`/`OFF`, `YES`/`NO`, `TRUE`/`FALSE`, any case.
    static func flag(_ text: String) -> Bool? {
        switch text.uppercased() {
        case "1", "ON", "YES", "TRUE": true
        case "0", "OFF", "NO", "FALSE": false
        default: nil
        }
    }

    static func gtids(_ text: String, flavor: Flavor) throws(ResultParseError) -> GTIDState {
        do {
            return try GTIDState(parsing: text, flavor: flavor)
        } catch {
            throw .invalidGTID(error)
        }
    }

    /// `Yes`, `No`, `Connecting`; MariaDB also reports `Preparing` while the IO thread
    /// starts. Anything that is not a plain yes or no means "started, not (yet) receiving".
    static func ioThread(_ text: String) -> ReplicaStatus.IOThreadState {
        ReplicaStatus.IOThreadState(serverText: text) ?? .connecting
    }

    /// `AFTER_SYNC` / `AFTER_COMMIT`.
    static func waitPoint(_ text: String?) -> SemiSyncState.WaitPoint? {
        switch text?.uppercased() {
        case "AFTER_SYNC": .afterSync
        case "AFTER_COMMIT": .afterCommit
        default: nil
        }
    }
}
