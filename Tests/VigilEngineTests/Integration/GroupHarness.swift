import Logging
import NIOCore
import VigilCore
import VigilEngine
import VigilMySQL
import VigilTestSupport
import Foundation

/// One real server with an admin session and engine operations over it.
struct Member: Sendable {
    let name: String
    let server: MariaDBServer
    let connection: MySQLConnection
    let ops: InstanceOperations

    var source: ReplicationSource { ReplicationSource(host: server.host, port: server.port) }

    /// Runs SQL on the admin session, for seeding and checking in tests.
    @discardableResult
    func sql(_ text: String) async throws -> MySQLResult {
        try await connection.query(text)
    }

    /// The first cell of the first row.
    func scalar(_ text: String) async throws -> String? {
        try await connection.query(text).rows.first?.string(0)
    }
}

enum Harness {
    static let timeout: TimeAmount = .seconds(30)

    /// Quiet unless something goes wrong; VIGIL_TEST_LOG=debug shows every statement.
    static let logger: Logger = {
        var logger = Logger(label: "vigil.engine.test")
        logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"] ?? "") ?? .warning
        return logger
    }()

    static func connect(_ server: MariaDBServer, user: String? = nil, password: String? = nil) async throws -> MySQLConnection {
        let configuration = MySQLConfiguration(
            endpoint: .tcp(host: server.host, port: server.port), user: user ?? server.rootUser,
            password: password ?? server.rootPassword, tls: .disable, connectTimeout: .seconds(10),
            queryTimeout: timeout)
        return try await MySQLConnection.connect(configuration)
    }

    static func member(_ server: MariaDBServer, index: Int) async throws -> Member {
        let connection = try await connect(server)
        let name = "db-\(index)"
        let ops = try InstanceOperations(instance: name, connection: connection, logger: logger)
        return Member(name: name, server: server, connection: connection, ops: ops)
    }

    /// Starts `count` servers with admin sessions; closes the sessions and stops the servers
    /// on every path.
    static func withMembers<T: Sendable>(
        count: Int, _ body: ([Member]) async throws -> T
    ) async throws -> T {
        try await withMariaDBGroup(count: count) { servers in
            var members: [Member] = []
            do {
                for (index, server) in servers.enumerated() { members.append(try await member(server, index: index)) }
                let result = try await body(members)
                for member in members { await member.connection.close() }
                return result
            } catch {
                for member in members { await member.connection.close() }
                throw error
            }
        }
    }

    /// From scratch: system accounts everywhere, `members[0]` a writable primary, the others
    /// fenced replicas of it with semi-sync, and lossless semi-sync on the primary.
    static func buildGroup(_ members: [Member], accounts: AccountRequest) async throws {
        for member in members { try await member.ops.ensureSystemAccounts(accounts) }
        let primary = members[0]
        try await primary.ops.promote()
        let credentials = ReplicationCredentials(user: SystemAccount.replication.user,
                                                 password: accounts.passwords[.replication]!)
        for replica in members.dropFirst() {
            try await replica.ops.fence(reason: "joining as a replica")
            try await replica.ops.repoint(to: primary.source, credentials: credentials,
                                          options: RepointOptions(semiSync: true))
        }
        for replica in members.dropFirst() {
            try await eventually("\(replica.name) connects to \(primary.name)") {
                try await replica.ops.observe().replica?.ioThread == .yes
            }
        }
        try await primary.ops.enableSemiSyncSource(groupSize: members.count)
        try await eventually("\(primary.name) sees \(members.count - 1) semi-sync replicas") {
            try await primary.ops.observe().semiSync?.clients == members.count - 1
        }
    }

    /// Polls `condition` until it holds, at most `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(20),
                           _ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("timed out after \(timeout) waiting until \(what)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
