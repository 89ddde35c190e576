import Logging
import VigilMySQL

/// Runs the statements of one operation on one instance and remembers which changes took
/// effect, so a failure can say exactly what was already applied. Reads are not recorded.
struct OperationRun {
    let instance: String
    let operation: String
    let session: any SQLSession
    let logger: Logger
    private(set) var applied: [String] = []
    /// Secrets of every statement sent so far: a later failure may still echo one.
    private var secrets: [String] = []

    init(_ operation: String, on ops: InstanceOperations) {
        self.instance = ops.instance
        self.operation = operation
        self.session = ops.session
        self.logger = ops.logger
    }

    /// A statement that only reads.
    func read(_ statement: SQLStatement) async throws(EngineError) -> MySQLResult {
        try await execute(statement)
    }

    /// A statement that changes the instance; recorded once it succeeded.
    @discardableResult
    mutating func change(_ statement: SQLStatement) async throws(EngineError) -> MySQLResult {
        secrets += statement.secrets
        let result = try await execute(statement)
        applied.append(statement.redacted)
        logger.info("applied", metadata: [
            "instance": "\(instance)", "operation": "\(operation)", "statement": "\(statement.redacted)",
        ])
        return result
    }

    mutating func change(_ statements: [SQLStatement]) async throws(EngineError) {
        for statement in statements { try await change(statement) }
    }

    /// Parses a result, turning a parse failure into an error naming the statement.
    func parse<T>(_ statement: SQLStatement, _ body: () throws(ResultParseError) -> T) throws(EngineError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .invalidGTID(let gtidError): throw failure(.invalidGTID(gtidError), statement: statement)
            case .unexpected(let text): throw failure(.unexpectedResult(text), statement: statement)
            }
        }
    }

    func failure(_ reason: EngineError.Reason, statement: SQLStatement? = nil) -> EngineError {
        EngineError(instance: instance, operation: operation, statement: statement?.redacted, reason: reason,
                    applied: applied)
    }

    private func execute(_ statement: SQLStatement) async throws(EngineError) -> MySQLResult {
        logger.debug("executing", metadata: [
            "instance": "\(instance)", "operation": "\(operation)", "statement": "\(statement.redacted)",
        ])
        do {
            return try await session.query(statement.sql)
        } catch let error as MySQLError {
            throw failure(.statementFailed(error.scrubbed(of: secrets)), statement: statement)
        } catch {
            throw failure(.sessionFailed(SQLStatement.scrub(String(describing: error), secrets: secrets)),
                          statement: statement)
        }
    }
}

extension MySQLError {
    /// The same error with the statement's secrets removed from every text it carries: a
    /// server may quote the statement back ("… near 'MASTER_PASSWORD = …'").
    func scrubbed(of secrets: [String]) -> MySQLError {
        guard !secrets.isEmpty else { return self }
        func scrub(_ text: String) -> String { SQLStatement.scrub(text, secrets: secrets) }
        func server(_ e: MySQLServerError) -> MySQLServerError {
            MySQLServerError(code: e.code, sqlState: e.sqlState, message: scrub(e.message))
        }
        switch self {
        case .server(let e): return .server(server(e))
        case .accessDenied(let e): return .accessDenied(server(e))
        case .accountLocked(let e): return .accountLocked(server(e))
        case .connectionClosed(let text): return .connectionClosed(scrub(text))
        case .timeout(let text): return .timeout(scrub(text))
        case .usage(let text): return .usage(scrub(text))
        // The rest describe the transport, never the statement.
        default: return self
        }
    }
}
