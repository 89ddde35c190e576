import Foundation
import Logging
import NIOConcurrencyHelpers
import VigilAgent
import VigilCore
import VigilHTTP
import VigilMySQL
import VigilTestSupport

/// Short timings for tests: a 2 s lease renewed every 250 ms.
let testLease = LeaseContract(
    leaseTimeout: .seconds(2), fenceEscalation: .seconds(1), peerVouchWindow: .seconds(10),
    clockSkewMargin: .milliseconds(200), probeInterval: .milliseconds(250), maxClockDriftRate: 0.001)

let testToken = "test-token-0123456789abcdef"

/// The ordinary application account the tests write with (no SUPER / READ ONLY ADMIN).
let appUser = "app"
let appPassword = "app-password"

func agentConfig(
    server: MariaDBServer, controller: String, instance: String = "db-1", peers: [AgentConfig.Peer] = [],
    pidFile: String? = nil, listen: AgentConfig.Listen = AgentConfig.Listen(host: "127.0.0.1", roleProbePort: 0, sidecarPort: 0, metricsPort: 0)
) -> AgentConfig {
    AgentConfig(
        instance: instance, flavor: .mariadb,
        mysql: AgentConfig.MySQL(host: server.host, port: server.port, user: server.rootUser, password: server.rootPassword,
                                 tls: "disable"),
        pidFile: pidFile, controller: controller, peers: peers, listen: listen, token: testToken, lease: testLease,
        serverProbeIntervalMs: 100)
}

func testLogger() -> Logger {
    var logger = Logger(label: "vigil.agent.test")
    logger.logLevel = ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"] == "1" ? .debug : .warning
    return logger
}

/// Runs an agent for the duration of `body`; stops it (cancellation) on every path.
func withAgent<T: Sendable>(
    _ config: AgentConfig, _ body: (Agent, Agent.BoundPorts) async throws -> T
) async throws -> T {
    let agent = Agent(config: config, logger: testLogger())
    let failure = NIOLockedValueBox<(any Error)?>(nil)
    let task = Task {
        do { try await agent.run() } catch { failure.withLockedValue { $0 = error } }
    }
    do {
        let ports = try await eventually("agent listeners to bind") { () async throws -> Agent.BoundPorts? in
            if let error = failure.withLockedValue({ $0 }) { throw error }
            return await agent.boundPorts
        }
        let result = try await body(agent, ports)
        task.cancel()
        await task.value
        return result
    } catch {
        task.cancel()
        await task.value
        throw error
    }
}

// MARK: MySQL helpers

func prepareAppSchema(_ server: MariaDBServer) async throws {
    _ = try await server.mariadbCLI("""
        CREATE DATABASE IF NOT EXISTS app;
        CREATE TABLE IF NOT EXISTS app.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT);
        CREATE USER IF NOT EXISTS '\(appUser)'@'127.0.0.1' IDENTIFIED BY '\(appPassword)';
        GRANT ALL PRIVILEGES ON app.* TO '\(appUser)'@'127.0.0.1';
        """)
}

func rootConnection(_ server: MariaDBServer) async throws -> MySQLConnection {
    try await MySQLConnection.connect(MySQLConfiguration(
        endpoint: .tcp(host: server.host, port: server.port), user: server.rootUser, password: server.rootPassword,
        tls: .disable, connectTimeout: .seconds(2), queryTimeout: .seconds(5)))
}

/// The server's read_only flag. A look that loses its connection is retried: what the tests
/// assert is the flag, and a fresh connection can be cut (a fence's kill loop, a loaded CI box)
/// without the flag changing.
func serverReadOnly(_ server: MariaDBServer) async throws -> Bool {
    var attempt = 0
    while true {
        attempt += 1
        do {
            let connection = try await rootConnection(server)
            defer { Task { await connection.close() } }
            let result = try await connection.query("SELECT @@global.read_only")
            return result.rows.first?.string(0) == "1"
        } catch MySQLError.connectionClosed where attempt < 3 {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

func setServerReadOnly(_ server: MariaDBServer, _ on: Bool) async throws {
    let connection = try await rootConnection(server)
    try await connection.query("SET GLOBAL read_only = \(on ? "ON" : "OFF")")
    await connection.close()
}

enum InsertOutcome: Equatable {
    case inserted
    case refusedReadOnly
    case failed(String)
}

/// One INSERT as the ordinary application user, on a fresh connection (fencing kills
/// client connections, so none is reused).
func insertAsApp(_ server: MariaDBServer) async -> InsertOutcome {
    do {
        let connection = try await MySQLConnection.connect(MySQLConfiguration(
            endpoint: .tcp(host: server.host, port: server.port), user: appUser, password: appPassword,
            tls: .disable, connectTimeout: .seconds(2), queryTimeout: .seconds(5)))
        defer { Task { await connection.close() } }
        do {
            try await connection.query("INSERT INTO app.t (v) VALUES (1)")
            return .inserted
        } catch {
            if error.serverError?.code == 1290 { return .refusedReadOnly }
            return .failed(error.description)
        }
    } catch {
        return .failed("\(error)")
    }
}

// MARK: HTTP helpers

func get(_ url: String, headers: [(String, String)] = []) async throws -> VigilHTTP.HTTPResponse {
    try await HTTPClient.request(url: url, headers: headers, timeout: .seconds(5))
}

func post(_ url: String, token: String?) async throws -> VigilHTTP.HTTPResponse {
    let headers = token.map { [(AgentAPI.authorizationHeader, AgentAPI.bearer($0))] } ?? []
    return try await HTTPClient.request(method: "POST", url: url, headers: headers, body: [], timeout: .seconds(10))
}

func role(_ ports: Agent.BoundPorts) async throws -> AgentRole? {
    let response = try await get("http://127.0.0.1:\(ports.roleProbe)\(AgentAPI.rolePath)")
    return try AgentAPI.decode(RoleReply.self, from: response.body).role
}

func status(_ ports: Agent.BoundPorts) async throws -> StatusReply {
    let response = try await get("http://127.0.0.1:\(ports.sidecar)\(AgentAPI.statusPath)")
    return try AgentAPI.decode(StatusReply.self, from: response.body)
}
