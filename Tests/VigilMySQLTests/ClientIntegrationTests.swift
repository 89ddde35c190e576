import Foundation
import NIOCore
import Testing
import VigilMySQL
import VigilTestSupport

/// The client against a real MariaDB on loopback (see VigilTestSupport.MariaDBServer).
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct ClientIntegrationTests {
    static func config(_ server: MariaDBServer, user: String? = nil, password: String? = nil,
                       tls: MySQLTLSMode = .disable, timeout: TimeAmount? = nil,
                       transport: MySQLTransport = .automatic) -> MySQLConfiguration {
        var config = MySQLConfiguration(endpoint: .tcp(host: server.host, port: server.port), user: user ?? server.rootUser,
                                        password: password ?? server.rootPassword, tls: tls, connectTimeout: .seconds(5),
                                        queryTimeout: timeout)
        config.transport = transport
        return config
    }

    /// The tests that exercise IO run on both transports (plaintext picks `direct` by default).
    static let transports: [MySQLTransport] = [.direct, .nio]

    @Test(arguments: transports) func typedValuesOverTCPAndUnixSocket(transport: MySQLTransport) async throws {
        try await withMariaDB { server in
            let conn = try await MySQLConnection.connect(Self.config(server, transport: transport))
            #expect(conn.serverVersion.contains("MariaDB"))
            let r = try await conn.query("""
                SELECT 1 AS i, CAST(18446744073709551615 AS UNSIGNED) AS u, -5 AS neg, 12.50 AS dec1,
                       1e3 AS dbl, 'héllo' AS s, NULL AS n, X'00FF' AS b, DATE '2024-02-29' AS d,
                       TIMESTAMP '2024-02-29 13:14:15.25' AS ts, TIME '-10:11:12' AS t
                """)
            let row = try #require(r.rows.first)
            #expect(row["i"] == .int(1))
            #expect(row["u"] == .uint(UInt64.max))
            #expect(row["neg"] == .int(-5))
            #expect(row["dec1"] == .decimal("12.50"))
            #expect(row["dbl"] == .double(1000))
            #expect(row["s"] == .string("héllo"))
            #expect(row["n"] == .null)
            #expect(row["b"] == .bytes([0, 255]))
            #expect(row["d"] == .date(MySQLDate(year: 2024, month: 2, day: 29)))
            #expect(row["ts"]?.description == "2024-02-29 13:14:15.250000")
            #expect(row["t"] == .time(MySQLTime(isNegative: true, hours: 10, minutes: 11, seconds: 12)))
            try await conn.ping()
            await conn.close()

            var unix = Self.config(server, transport: transport)
            unix.endpoint = .unixSocket(path: server.socketPath)
            let viaSocket = try await MySQLConnection.connect(unix)
            #expect(try await viaSocket.query("SELECT 42").rows.first?[0] == .int(42))
            await viaSocket.close()
        }
    }

    @Test(arguments: transports) func okPacketsMultipleResultsAndErrors(transport: MySQLTransport) async throws {
        try await withMariaDB { server in
            let conn = try await MySQLConnection.connect(Self.config(server, transport: transport))
            try await conn.query("CREATE DATABASE t1")
            try await conn.query("CREATE TABLE t1.x (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))")
            let ins = try await conn.query("INSERT INTO t1.x (v) VALUES ('a'), ('b'), ('c')")
            #expect(ins.affectedRows == 3)
            #expect(ins.lastInsertID == 1)
            let all = try await conn.queryAll("SELECT COUNT(*) FROM t1.x; UPDATE t1.x SET v = 'z' WHERE id > 1; SELECT v FROM t1.x ORDER BY id")
            #expect(all.count == 3)
            #expect(all[0].rows[0][0] == .int(3))
            #expect(all[1].affectedRows == 2)
            #expect(all[2].rows.map { $0.string(0) } == ["a", "z", "z"])
            await #expect(throws: MySQLError.self) { try await conn.query("SELECT * FROM t1.missing") }
            do {
                try await conn.query("SELECT * FROM t1.missing")
            } catch {
                #expect((error as? MySQLError)?.serverError?.code == 1146)
                #expect((error as? MySQLError)?.serverError?.sqlState == "42S02")
            }
            // The connection is still usable after a server error.
            #expect(try await conn.query("SELECT 7").rows[0][0] == .int(7))
            await conn.close()
        }
    }

    /// Session tracking: every commit reports the GTID it got, with no extra round trip.
    @Test func trackedLastGTIDComesWithEachCommit() async throws {
        try await withMariaDB(.init(enableBinlogAndGTID: true)) { server in
            let conn = try await MySQLConnection.connect(Self.config(server))
            try await conn.query("SET SESSION session_track_system_variables = 'last_gtid'")
            try await conn.query("CREATE DATABASE tg")
            try await conn.query("CREATE TABLE tg.x (id INT PRIMARY KEY)")
            let first = try await conn.query("INSERT INTO tg.x VALUES (1)").trackedSystemVariables["last_gtid"]
            let second = try await conn.query("INSERT INTO tg.x VALUES (2)").trackedSystemVariables["last_gtid"]
            let actual = try await conn.query("SELECT @@last_gtid").rows.first?.string(0)
            #expect(second == actual)
            let parts = try #require(first?.split(separator: "-"))
            #expect(parts.count == 3, "\(first ?? "nil")")
            #expect(Int(parts[2]).map { $0 + 1 } == second.flatMap { Int($0.split(separator: "-")[2]) })
            // A read reports nothing.
            #expect(try await conn.query("SELECT 1").trackedSystemVariables["last_gtid"] == nil)
            await conn.close()
        }
    }

    @Test func classicEOFModeWorks() async throws {
        try await withMariaDB { server in
            var c = Self.config(server)
            c.classicEOF = true
            let conn = try await MySQLConnection.connect(c)
            let r = try await conn.queryAll("SELECT 1 AS a UNION SELECT 2; SELECT 'x'")
            #expect(r.count == 2)
            #expect(r[0].rows.map { $0[0] } == [.int(1), .int(2)])
            #expect(r[1].rows[0][0] == .string("x"))
            await conn.close()
        }
    }

    @Test func authenticationFailuresAreTyped() async throws {
        try await withMariaDB { server in
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(server, password: "wrong"))
            } throws: { error in
                guard case .accessDenied(let e) = error as? MySQLError else { return false }
                return e.code == 1045 && !e.message.contains("wrong")
            }
            let admin = try await MySQLConnection.connect(Self.config(server))
            try await admin.query("CREATE USER 'locked'@'127.0.0.1' IDENTIFIED BY 'pw' ACCOUNT LOCK")
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(server, user: "locked", password: "pw"))
            } throws: { error in
                if case .accountLocked = error as? MySQLError { return true }
                return false
            }
            // MariaDB's ed25519 plugin: the server switches us to client_ed25519.
            try await admin.query("INSTALL SONAME 'auth_ed25519'")
            try await admin.query("CREATE USER 'ed'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('s3cret-ed')")
            let ed = try await MySQLConnection.connect(Self.config(server, user: "ed", password: "s3cret-ed"))
            #expect(ed.authPlugin == "client_ed25519")
            #expect(try await ed.query("SELECT CURRENT_USER()").rows[0].string(0) == "ed@127.0.0.1")
            await ed.close()
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(server, user: "ed", password: "nope"))
            } throws: { error in
                if case .accessDenied = error as? MySQLError { return true }
                return false
            }
            await admin.close()
        }
    }

    @Test func unknownPluginIsNamed() async throws {
        try await withMariaDB { server in
            let admin = try await MySQLConnection.connect(Self.config(server))
            // auth_pam asks for the 'dialog' client plugin, which we do not implement.
            do {
                try await admin.query("INSTALL SONAME 'auth_pam'")
            } catch {
                await admin.close()
                return  // plugin not shipped on this system; nothing to test
            }
            try await admin.query("CREATE USER 'pam'@'127.0.0.1' IDENTIFIED VIA pam")
            await #expect(throws: MySQLError.unsupportedAuthPlugin("dialog")) {
                _ = try await MySQLConnection.connect(Self.config(server, user: "pam", password: "x"))
            }
            await admin.close()
        }
    }

    @Test func tlsModes() async throws {
        try await withMariaDB(.init(tls: true)) { server in
            let ca = try #require(server.caCertificatePath)
            for mode: MySQLTLSMode in [.require, .prefer, .verifyCA(caFile: ca), .verifyFull(caFile: ca)] {
                let conn = try await MySQLConnection.connect(Self.config(server, tls: mode))
                #expect(conn.isTLS, "mode \(mode)")
                let cipher = try await conn.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows[0].string(1)
                #expect(cipher?.isEmpty == false, "mode \(mode)")
                await conn.close()
            }
            let plain = try await MySQLConnection.connect(Self.config(server, tls: .disable))
            #expect(!plain.isTLS)
            await plain.close()
            // The system trust store does not know our throwaway CA.
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(server, tls: .verifyCA(caFile: nil)))
            } throws: { error in
                if case .tls = error as? MySQLError { return true }
                return false
            }
        }
        try await withMariaDB { server in
            await #expect {
                _ = try await MySQLConnection.connect(Self.config(server, tls: .require))
            } throws: { error in
                if case .tls(let why) = error as? MySQLError { return why.contains("does not offer") }
                return false
            }
            let preferred = try await MySQLConnection.connect(Self.config(server, tls: .prefer))
            #expect(!preferred.isTLS)
            await preferred.close()
        }
    }

    @Test(arguments: transports) func largeResultsAndMultiPacketRows(transport: MySQLTransport) async throws {
        try await withMariaDB(.init(extraArguments: ["--max-allowed-packet=64M"])) { server in
            let conn = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let r = try await conn.query("SELECT seq, CONCAT('row-', seq) FROM mysql.seq_1_to_200000")
            #expect(r.rows.count == 200_000)
            #expect(r.rows[199_999][0] == .uint(200_000))  // seq is BIGINT UNSIGNED
            #expect(r.rows[12_345].string(1) == "row-12346")
            // A 20 MiB value spans two protocol packets.
            let big = try await conn.query("SELECT REPEAT('x', 20971520) AS big, 'after' AS tail")
            #expect(big.rows[0].rawBytes(at: 0)?.count == 20_971_520)
            #expect(big.rows[0].string("tail") == "after")
            // And a 20 MiB statement goes out in several packets.
            let echoed = try await conn.query("SELECT LENGTH('" + String(repeating: "y", count: 20_971_520) + "')")
            #expect(echoed.rows[0][0] == .int(20_971_520))
            await conn.close()
        }
    }

    @Test(arguments: transports) func serverGoingAwayFailsPendingWorkPromptly(transport: MySQLTransport) async throws {
        try await withMariaDB { server in
            let victim = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let admin = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let id = victim.connectionID
            let started = ContinuousClock.now
            let slow = Task { try await victim.query("SELECT SLEEP(30)") }
            try await Task.sleep(for: .milliseconds(200))
            try await admin.query("KILL CONNECTION \(id)")
            await #expect(throws: MySQLError.self) { _ = try await slow.value }
            #expect(ContinuousClock.now - started < .seconds(10))
            await #expect(throws: MySQLError.self) { try await victim.query("SELECT 1") }

            // The whole server dies mid-query.
            let other = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let dying = Task { try await other.query("SELECT SLEEP(30)") }
            try await Task.sleep(for: .milliseconds(200))
            server.kill(signal: SIGKILL)
            await #expect {
                _ = try await dying.value
            } throws: { error in
                if case .connectionClosed = error as? MySQLError { return true }
                return false
            }
            await admin.close()
        }
    }

    @Test(arguments: transports) func timeoutAndCancellationCloseTheConnection(transport: MySQLTransport) async throws {
        try await withMariaDB { server in
            let conn = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let started = ContinuousClock.now
            await #expect {
                try await conn.query("SELECT SLEEP(5)", timeout: .milliseconds(300))
            } throws: { error in
                if case .timeout = error as? MySQLError { return true }
                return false
            }
            #expect(ContinuousClock.now - started < .seconds(3))
            await #expect(throws: MySQLError.self) { try await conn.query("SELECT 1") }

            let conn2 = try await MySQLConnection.connect(Self.config(server, transport: transport))
            let task = Task { try await conn2.query("SELECT SLEEP(5)") }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let cancelledAt = ContinuousClock.now
            await #expect(throws: MySQLError.cancelled) { _ = try await task.value }
            #expect(ContinuousClock.now - cancelledAt < .seconds(2))
        }
    }

    @Test(arguments: transports) func connectingToAClosedPortFailsClearly(transport: MySQLTransport) async throws {
        let port = try MariaDBServer.freePort()
        var config = MySQLConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), user: "x", tls: .disable,
                                        connectTimeout: .seconds(2))
        config.transport = transport
        await #expect {
            _ = try await MySQLConnection.connect(config)
        } throws: { error in
            guard case .connectFailed(let endpoint, _) = error as? MySQLError else { return false }
            return endpoint == "127.0.0.1:\(port)"
        }
    }

    @Test func sqlCommandPrintsRowsAndFailsWithServerError() async throws {
        try await withMariaDB { server in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sql-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let pwFile = dir.appendingPathComponent("pw").path
            try server.rootPassword.write(toFile: pwFile, atomically: true, encoding: .utf8)
            let base = ["sql", "--host", "127.0.0.1", "--port", "\(server.port)", "--user", server.rootUser,
                        "--password-file", pwFile, "--tls", "disable"]
            let ok = try await VigilBinary.run(base + ["-e", "SELECT 1 AS one, 'x' AS s"])
            #expect(ok.status == 0)
            #expect(ok.stdout.contains("| one | s |"))
            let json = try await VigilBinary.run(base + ["--json", "-e", "SELECT 1 AS one"])
            #expect(json.stdout.contains("\"one\":1"))
            let bad = try await VigilBinary.run(base + ["-e", "SELEC 1"])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("ERROR 1064 (42000)"))
            #expect(!bad.stderr.contains(server.rootPassword))
        }
    }
}
