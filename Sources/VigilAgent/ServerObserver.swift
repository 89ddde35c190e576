import Foundation
import Logging
import VigilCore
import VigilEngine
import VigilMySQL

/// Looks at mysqld on the probe schedule over one reused connection, reconnecting when it
/// breaks. Only the probe loop calls it, one look at a time.
actor ServerObserver {
    private let access: MySQLAccess
    private let pidFile: String?
    private let timeout: Duration
    private let clock: AgentClock
    private var connection: MySQLConnection?
    private var operations: InstanceOperations?

    init(access: MySQLAccess, pidFile: String?, timeout: Duration, clock: AgentClock) {
        self.access = access
        self.pidFile = pidFile
        self.timeout = timeout
        self.clock = clock
    }

    func look() async -> ServerLook {
        // A pid file naming a dead process is proof of death, whatever the port says.
        if let pidFile, case .dead(let pid) = ProcessControl.liveness(pidFile: pidFile) {
            await drop()
            return result(.exited, problem: "mysqld (pid \(pid)) has exited")
        }
        // A reused connection that broke is retried once at once: after a crash, the fresh
        // connect is what proves the death (refused), within the same probe.
        let reused = connection != nil
        let first = await attempt()
        if reused, first.retryWithFreshConnection { return await attempt().look }
        return first.look
    }

    func close() async {
        await drop()
    }

    private func attempt() async -> (look: ServerLook, retryWithFreshConnection: Bool) {
        let ops: InstanceOperations
        let connection: MySQLConnection
        if let existing = self.connection, let existingOps = operations, !existing.isClosed {
            connection = existing
            ops = existingOps
        } else {
            await drop()
            do {
                (connection, ops) = try await access.connect(timeout: timeout)
                self.connection = connection
                self.operations = ops
            } catch {
                return (connectFailure(error), false)
            }
        }
        do {
            let observation = try await ops.observe()
            let statusResult = try await connection.query(GlobalStatus.query)
            var pairs: [String: String] = [:]
            for row in statusResult.rows where row.count >= 2 {
                if let name = row.string(0) { pairs[name.lowercased()] = row.string(1) ?? "" }
            }
            var look = result(.running(readOnly: observation.fencedReadOnly))
            look.observation = observation
            look.status = GlobalStatus(pairs: pairs)
            return (look, false)
        } catch let error as EngineError {
            return await queryFailure(error.reason.mysqlError, detail: error.description)
        } catch let error as MySQLError {
            return await queryFailure(error, detail: error.description)
        } catch {
            return await queryFailure(nil, detail: "\(error)")
        }
    }

    private func connectFailure(_ error: MySQLError) -> ServerLook {
        switch error {
        case .connectFailed where error.isConnectionRefused:
            return result(.refused, problem: error.description)
        case .accessDenied, .accountLocked:
            // The server answered the handshake: it runs, we just cannot read it.
            return result(.running(readOnly: nil), problem: error.description)
        default:
            return result(.notAnswering, problem: error.description)
        }
    }

    private func queryFailure(_ error: MySQLError?, detail: String) async -> (look: ServerLook, retryWithFreshConnection: Bool) {
        switch error {
        case .server?:
            // It answered with an error (e.g. a missing privilege): running, flags unknown.
            return (result(.running(readOnly: nil), problem: detail), false)
        case .timeout?:
            await drop()
            return (result(.notAnswering, problem: detail), false)
        default:
            await drop()
            return (result(.notAnswering, problem: detail), true)
        }
    }

    private func result(_ state: ServerProcessState, problem: String? = nil) -> ServerLook {
        ServerLook(state: state, observation: nil, status: nil, problem: problem, at: clock.now(), wallClock: Date())
    }

    private func drop() async {
        let old = connection
        connection = nil
        operations = nil
        await old?.close()
    }
}

extension EngineError.Reason {
    /// The client error behind a failed statement, if that is what failed.
    var mysqlError: MySQLError? {
        if case .statementFailed(let error) = self { return error }
        return nil
    }
}
