import VigilMySQL

/// What engine operations need from a connection: run one statement, get its result.
/// `MySQLConnection` is the real one; tests use a scripted fake that records statements.
public protocol SQLSession: Sendable {
    func query(_ sql: String) async throws -> MySQLResult
}

extension MySQLConnection: SQLSession {
    // Overload resolution prefers this over `query(_:timeout:)` wherever VigilEngine is
    // imported, so it must behave identically: typed throws, discardable result, and the
    // connection's configured query timeout (a timed-out command closes the connection, so
    // a hung statement cannot wedge the caller).
    @discardableResult
    public func query(_ sql: String) async throws(MySQLError) -> MySQLResult {
        try await query(sql, timeout: nil)
    }
}
