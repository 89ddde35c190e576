import Logging
import NIOCore
import VigilCore
import VigilEngine
import VigilMySQL

/// How the agent reaches its mysqld: one configuration, two uses (probe and admin actions).
struct MySQLAccess: Sendable {
    let instance: String
    let flavor: Flavor
    let settings: AgentConfig.MySQL
    let logger: Logger

    func configuration(timeout: Duration) -> MySQLConfiguration {
        let amount = TimeAmount.milliseconds(max(1, timeout.wholeMilliseconds))
        return MySQLConfiguration(
            endpoint: .tcp(host: settings.host, port: settings.port),
            user: settings.user,
            password: settings.password,
            tls: settings.tls.flatMap { MySQLTLSMode(name: $0) } ?? .prefer,
            connectTimeout: amount,
            queryTimeout: amount,
            programName: "vigil-agent")
    }

    func connect(timeout: Duration) async throws(MySQLError) -> (MySQLConnection, InstanceOperations) {
        let connection = try await MySQLConnection.connect(configuration(timeout: timeout), logger: logger)
        // The handshake names the server; fall back to the configured flavor if it is odd.
        let operations =
            (try? InstanceOperations(instance: instance, connection: connection, logger: logger))
            ?? InstanceOperations(instance: instance, session: connection, dialect: engineDialect(for: flavor), logger: logger)
        return (connection, operations)
    }

    /// Connections the fence leaves alone: Vigil's system accounts, the server's own threads,
    /// and the account the agent itself uses.
    var fenceExemptUsers: Set<String> {
        InstanceOperations.defaultFenceExemptUsers.union([settings.user])
    }
}

extension MySQLError {
    /// Nothing listens where mysqld should (proof it accepts no writes on a live host).
    var isConnectionRefused: Bool {
        guard case .connectFailed(_, let reason) = self else { return false }
        return reason.lowercased().contains("refused")
    }

    /// The statement may or may not have taken effect (no answer came back).
    var isAmbiguous: Bool {
        switch self {
        case .timeout, .connectionClosed, .cancelled, .protocolViolation: true
        default: false
        }
    }
}
