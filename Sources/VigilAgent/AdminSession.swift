import Logging
import VigilCore
import VigilEngine
import VigilMySQL

/// Performs fence and unfence on mysqld over its own connection, so an action never waits
/// behind a probe (and a hung statement never stalls observation). Only the action runner
/// calls it, one action at a time.
actor AdminSession {
    private let access: MySQLAccess
    private let timeout: Duration
    private var connection: MySQLConnection?
    private var operations: InstanceOperations?

    /// `timeout` bounds connecting and each statement: a fence that hangs longer is reported
    /// ambiguous, and self-fencing escalates.
    init(access: MySQLAccess, timeout: Duration) {
        self.access = access
        self.timeout = timeout
    }

    /// read_only ON and client connections killed (`InstanceOperations.fence`).
    func fence(reason: String) async -> FenceResult {
        await run { ops throws(EngineError) in
            _ = try await ops.fence(reason: reason, exemptUsers: access.fenceExemptUsers)
        }
    }

    /// read_only OFF.
    func unfence() async -> FenceResult {
        await run { ops throws(EngineError) in
            for statement in ops.dialect.setWritable {
                do {
                    _ = try await ops.session.query(statement.sql)
                } catch let error as MySQLError {
                    throw EngineError(instance: ops.instance, operation: "unfence", statement: statement.redacted,
                                      reason: .statementFailed(error))
                } catch {
                    throw EngineError(instance: ops.instance, operation: "unfence", statement: statement.redacted,
                                      reason: .sessionFailed("\(error)"))
                }
            }
        }
    }

    func close() async {
        await drop()
    }

    private func run(_ body: (InstanceOperations) async throws(EngineError) -> Void) async -> FenceResult {
        let ops: InstanceOperations
        if let existing = connection, let existingOps = operations, !existing.isClosed {
            ops = existingOps
        } else {
            await drop()
            do {
                let (fresh, freshOps) = try await access.connect(timeout: timeout)
                connection = fresh
                operations = freshOps
                ops = freshOps
            } catch {
                // Nothing was sent: nothing changed.
                return .failed(error.description)
            }
        }
        do {
            try await body(ops)
            return .confirmed
        } catch {
            if let mysqlError = error.reason.mysqlError, mysqlError.isAmbiguous {
                await drop()
                return .ambiguous(error.description)
            }
            if case .sessionFailed = error.reason {
                await drop()
                return .ambiguous(error.description)
            }
            return .failed(error.description)
        }
    }

    private func drop() async {
        let old = connection
        connection = nil
        operations = nil
        await old?.close()
    }
}
