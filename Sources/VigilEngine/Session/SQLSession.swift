import VigilMySQL

/// What engine operations need from a connection: run one statement, get its result.
/// `MySQLConnection` is the real one; tests use a scripted fake that records statements.
public protocol SQLSession: Sendable {
    func query(_ sql: String) async throws -> MySQLResult
}

extension MySQLConnection: SQLSession {
    // The connection's configured default query timeout applies; a timed-out command
    // closes the connection (see MySQLConnection), so a hung statement cannot wedge the caller.
    public func query(_ sql: String) async throws -> MySQLResult {
        try await query(sql, timeout: nil)
    }
}
