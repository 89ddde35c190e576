import Foundation
import NIOCore
import Testing
import VigilMySQL
import VigilTestSupport

/// The direct transport (`DirectLoop`): what it is chosen for, and the IO paths the shared
/// integration tests do not reach — silent and hostile servers, many tasks and connections at
/// once, a peer that hangs up while idle.
@Suite struct DirectTransportTests {
    static func config(port: Int, transport: MySQLTransport = .direct, tls: MySQLTLSMode = .disable,
                       connectTimeout: TimeAmount = .seconds(5)) -> MySQLConfiguration {
        var config = MySQLConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), user: "x", password: "secret-pw",
                                        tls: tls, connectTimeout: connectTimeout)
        config.transport = transport
        return config
    }

    @Test func directRefusesTLSItCannotDo() async throws {
        let silent = try await RawTCPServer.start(reply: nil)
        for mode in [MySQLTLSMode.require, .verifyCA(caFile: nil), .verifyFull(caFile: nil)] {
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(port: silent.port, tls: mode))
            } throws: { error in
                guard case .usage(let why) = error as? MySQLError else { return false }
                return why.contains("no TLS")
            }
        }
        await silent.stop()
    }

    @Test(arguments: ClientIntegrationTests.transports)
    func aServerThatNeverGreetsTimesOutWithinTheConnectTimeout(transport: MySQLTransport) async throws {
        let silent = try await RawTCPServer.start(reply: nil)
        let started = ContinuousClock.now
        await #expect {
            _ = try await MySQLConnection.connect(Self.config(port: silent.port, transport: transport,
                                                              connectTimeout: .milliseconds(400)))
        } throws: { error in
            guard case .timeout(let what) = error as? MySQLError else { return false }
            return what.contains("handshake")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        await silent.stop()
    }

    @Test(arguments: ClientIntegrationTests.transports)
    func garbageInsteadOfAGreetingIsATypedError(transport: MySQLTransport) async throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            // A plausible header with random contents, a truncated packet, or an absurd length.
            var bytes = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if round % 3 == 0 { bytes = [0xff, 0xff, 0xff, 0x00] + bytes }
            let hostile = try await RawTCPServer.start(reply: bytes, closeAfterReply: round % 2 == 0, speaksFirst: true)
            let started = ContinuousClock.now
            await #expect(throws: MySQLError.self) {
                _ = try await MySQLConnection.connect(Self.config(port: hostile.port, transport: transport,
                                                                  connectTimeout: .seconds(1)))
            }
            // Bounded by the connect timeout; the slack is for a machine busy starting other
            // tests' servers (a hang would never end).
            #expect(ContinuousClock.now - started < .seconds(10))
            await hostile.stop()
        }
    }

    @Test func automaticPicksDirectOnlyWhenTLSIsRuledOut() async throws {
        try await withMariaDB { server in
            var config = ClientIntegrationTests.config(server)
            let plain = try await MySQLConnection.connect(config)
            #expect(plain.taskExecutor is DirectLoop)
            await plain.close()
            config.tls = .prefer
            let preferring = try await MySQLConnection.connect(config)
            #expect(!(preferring.taskExecutor is DirectLoop))
            #expect(try await preferring.query("SELECT 7").rows.first?[0] == .int(7))
            await preferring.close()
            config.endpoint = .unixSocket(path: server.socketPath)
            let socket = try await MySQLConnection.connect(config)
            #expect(socket.taskExecutor is DirectLoop)
            await socket.close()
        }
    }

    @Test func aHostNameIsResolvedWithinTheConnectTimeout() async throws {
        try await withMariaDB { server in
            var config = ClientIntegrationTests.config(server)
            config.endpoint = .tcp(host: "localhost", port: server.port)
            let byName = try await MySQLConnection.connect(config)
            #expect(byName.taskExecutor is DirectLoop)
            #expect(try await byName.query("SELECT 5").rows.first?[0] == .int(5))
            await byName.close()
        }
        // A name that does not resolve: a typed error naming the endpoint, bounded by the timeout.
        var config = Self.config(port: 3306, connectTimeout: .seconds(2))
        config.endpoint = .tcp(host: "no-such-host.invalid", port: 3306)
        let started = ContinuousClock.now
        await #expect {
            _ = try await MySQLConnection.connect(config)
        } throws: { error in
            guard case .connectFailed(let endpoint, _) = error as? MySQLError else { return false }
            return endpoint == "no-such-host.invalid:3306"
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func manyTasksOnManyConnectionsGetTheirOwnAnswers() async throws {
        try await withMariaDB { server in
            let connections = try await withThrowingTaskGroup(of: MySQLConnection.self) { group in
                for _ in 0..<12 { group.addTask { try await MySQLConnection.connect(ClientIntegrationTests.config(server)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Three tasks share each connection (commands queue in call order), none pinned:
            // every submission crosses threads, and every reply must reach its own caller.
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for (c, conn) in connections.enumerated() {
                    for t in 0..<3 {
                        group.addTask {
                            for q in 0..<100 {
                                let n = c * 10_000 + t * 1_000 + q
                                let r = try await conn.query("SELECT \(n)")
                                guard r.rows.first?[0] == .int(Int64(n)) else { return -1 }
                            }
                            return 100
                        }
                    }
                }
                return try await group.reduce(0) { $1 < 0 ? Int.min : $0 + $1 }
            }
            #expect(answered == 12 * 3 * 100)
            // Pinned to the connection's loop, the same work runs without hand-offs.
            let pinned = try await withTaskExecutorPreference(connections[0].taskExecutor) {
                var sum: Int64 = 0
                for q in 1...200 {
                    if case .int(let v) = try await connections[0].query("SELECT \(q)").rows[0][0] { sum += v }
                }
                return sum
            }
            #expect(pinned == 200 * 201 / 2)
            for conn in connections { await conn.close() }
            #expect(connections.allSatisfy { $0.isClosed })
        }
    }

    @Test func anIdleConnectionNoticesTheServerHangingUp() async throws {
        try await withMariaDB { server in
            let idle = try await MySQLConnection.connect(ClientIntegrationTests.config(server))
            let admin = try await MySQLConnection.connect(ClientIntegrationTests.config(server))
            #expect(!idle.isClosed)
            try await admin.query("KILL CONNECTION \(idle.connectionID)")
            let deadline = ContinuousClock.now + .seconds(5)
            while !idle.isClosed && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(idle.isClosed)
            await #expect(throws: MySQLError.self) { _ = try await idle.query("SELECT 1") }
            await admin.close()
        }
    }

    // A task pinned to its connection's loop waits for replies inside the loop's own poll
    // (DirectConnection.run). These check that such a wait is still a well-behaved command:
    // it times out, can be cancelled, notices a dead peer, and never stalls the loop's other
    // connections.

    /// Waits until `admin` sees connection `id` running `SELECT SLEEP`.
    static func awaitRunning(_ id: UInt32, on admin: MySQLConnection) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let r = try await admin.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = \(id) AND INFO LIKE 'SELECT SLEEP%'")
            if r.rows.first?[0] == .int(1) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("connection \(id) never started its query")
    }

    @Test func aPinnedWaitTimesOutIsCancelledAndNoticesAKill() async throws {
        try await withMariaDB { server in
            let config = ClientIntegrationTests.config(server)
            let admin = try await MySQLConnection.connect(config)

            let slow = try await MySQLConnection.connect(config)
            var started = ContinuousClock.now
            await #expect {
                try await withTaskExecutorPreference(slow.taskExecutor) {
                    try await slow.query("SELECT SLEEP(5)", timeout: .milliseconds(300))
                }
            } throws: { error in
                if case .timeout = error as? MySQLError { return true }
                return false
            }
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(slow.isClosed)

            let cancelled = try await MySQLConnection.connect(config)
            let task = Task(executorPreference: cancelled.taskExecutor) { try await cancelled.query("SELECT SLEEP(5)") }
            try await Self.awaitRunning(cancelled.connectionID, on: admin)
            started = ContinuousClock.now
            task.cancel()
            await #expect(throws: MySQLError.cancelled) { _ = try await task.value }
            #expect(ContinuousClock.now - started < .seconds(2))

            let victim = try await MySQLConnection.connect(config)
            let killed = Task(executorPreference: victim.taskExecutor) { try await victim.query("SELECT SLEEP(30)") }
            try await Self.awaitRunning(victim.connectionID, on: admin)
            started = ContinuousClock.now
            try await admin.query("KILL CONNECTION \(victim.connectionID)")
            await #expect(throws: MySQLError.self) { _ = try await killed.value }
            #expect(ContinuousClock.now - started < .seconds(3))
            await admin.close()
        }
    }

    @Test func aPinnedWaitDoesNotHoldUpTheLoopsOtherConnections() async throws {
        try await withMariaDB { server in
            let config = ClientIntegrationTests.config(server)
            // Connections take the loops in turn: among loops + 1 of them, two share one.
            var connections: [MySQLConnection] = []
            for _ in 0...DirectLoop.count { connections.append(try await MySQLConnection.connect(config)) }
            let a = connections[0]
            let b = try #require(connections.dropFirst().first { $0.taskExecutor as? DirectLoop === a.taskExecutor as? DirectLoop })
            let admin = try await MySQLConnection.connect(config)

            let slow = Task(executorPreference: a.taskExecutor) {
                try await a.query("SELECT SLEEP(3)")
                return ContinuousClock.now
            }
            try await Self.awaitRunning(a.connectionID, on: admin)
            // While `a`'s task waits on the loop thread, `b`'s pinned task needs that thread.
            let fast = try await withTaskExecutorPreference(b.taskExecutor) {
                var sum: Int64 = 0
                for q in 1...100 {
                    if case .int(let v) = try await b.query("SELECT \(q)").rows[0][0] { sum += v }
                }
                return (sum, ContinuousClock.now)
            }
            let slowDone = try await slow.value
            #expect(fast.0 == 100 * 101 / 2)
            #expect(fast.1 < slowDone, "the other connection waited for the slow query")
            for conn in connections + [admin] { await conn.close() }
        }
    }
}

