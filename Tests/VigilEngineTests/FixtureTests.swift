// Tests of the real-MariaDB fixture itself (VigilTestSupport). SQL goes through the `mariadb`
// command-line client so that these tests do not depend on our own wire client.
import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `pid` names an existing process (zombies included).
private func processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}

@Suite(
    "MariaDB fixture",
    .enabled(if: MariaDBServer.isAvailable, "mariadbd not installed: run scripts/lib/ensure-deps.sh"))
struct FixtureTests {
    @Test("start and stop leave no process and no directory")
    func startStopLeavesNothing() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let server = try await MariaDBServer.start()
        let startup = clock.now - began
        print("MariaDBServer.start took \(startup)")

        #expect(server.host == "127.0.0.1")
        #expect(server.port > 0)
        #expect(server.isRunning)
        #expect(processExists(server.pid))
        #expect(FileManager.default.fileExists(atPath: server.socketPath))
        #expect(FileManager.default.fileExists(atPath: "\(server.dataDirectory)/mysql"))
        #expect(server.rootPassword.count >= 16)

        let answer = try await server.mariadbCLI("SELECT 1 + 1, @@port, CURRENT_USER()")
        #expect(answer == "2\t\(server.port)\tvigil_test@127.0.0.1\n")
        let overSocket = try await server.mariadbCLI("SELECT CURRENT_USER()", overSocket: true)
        #expect(overSocket == "vigil_test@localhost\n")
        let grants = try await server.mariadbCLI("SHOW GRANTS")
        #expect(grants.contains("GRANT ALL PRIVILEGES ON *.* TO `vigil_test`@`127.0.0.1`"))
        #expect(grants.contains("WITH GRANT OPTION"))

        let pid = server.pid
        await server.stop()
        #expect(!server.isRunning)
        #expect(!processExists(pid))
        #expect(!FileManager.default.fileExists(atPath: server.baseDirectory))
        #expect(server.lastExitStatus == .exited(0))
        await server.stop()  // idempotent
        await #expect(throws: MariaDBFixtureError.self) { try await server.startProcess() }
    }

    @Test("two servers run side by side on different ports")
    func twoServersSideBySide() async throws {
        try await withMariaDB(.init(serverID: 11)) { first in
            try await withMariaDB(.init(serverID: 12)) { second in
                #expect(first.port != second.port)
                #expect(first.dataDirectory != second.dataDirectory)
                #expect(first.rootPassword != second.rootPassword)
                let one = try await first.mariadbCLI("SELECT @@server_id, @@port")
                let two = try await second.mariadbCLI("SELECT @@server_id, @@port")
                #expect(one == "11\t\(first.port)\n")
                #expect(two == "12\t\(second.port)\n")
            }
        }
    }

    @Test("withMariaDB stops the server when the body throws")
    func scopedStopOnThrow() async throws {
        struct Expected: Error {}
        let seen = LockedPID()
        await #expect(throws: Expected.self) {
            try await withMariaDB { server in
                seen.set(server.pid, server.baseDirectory)
                throw Expected()
            }
        }
        let (pid, directory) = seen.get()
        #expect(pid != 0)
        #expect(!processExists(pid))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a server killed with SIGKILL is detected as not running; restart recovers it")
    func sigkillDetected() async throws {
        try await withMariaDB { server in
            let pid = server.pid
            #expect(server.kill(signal: SIGKILL))
            #expect(await server.waitUntilExited(timeout: .seconds(10)))
            #expect(!server.isRunning)
            #expect(!processExists(pid))
            #expect(server.lastExitStatus == .signaled(SIGKILL))
            #expect(!server.kill(signal: SIGTERM))  // nothing left to signal

            try await server.startProcess()
            #expect(server.isRunning)
            #expect(server.pid != pid)
            #expect(try await server.mariadbCLI("SELECT 1") == "1\n")
        }
    }

    @Test("restart keeps the port and the data directory")
    func restartKeepsData() async throws {
        try await withMariaDB { server in
            _ = try await server.mariadbCLI(
                "CREATE DATABASE vigil; CREATE TABLE vigil.t (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO vigil.t VALUES (42)")
            let (port, data, pid) = (server.port, server.dataDirectory, server.pid)
            try await server.restart()
            #expect(server.port == port)
            #expect(server.dataDirectory == data)
            #expect(server.pid != pid)
            #expect(!processExists(pid))
            #expect(try await server.mariadbCLI("SELECT id FROM vigil.t") == "42\n")
        }
    }

    @Test("a SIGSTOPped server still stops")
    func stoppedServerStops() async throws {
        let server = try await MariaDBServer.start(.init(stopTimeout: .seconds(10)))
        let pid = server.pid
        #expect(server.kill(signal: SIGSTOP))
        #expect(server.isRunning)
        await server.stop()
        #expect(!processExists(pid))
        #expect(server.lastExitStatus == .exited(0))
    }

    @Test("a group has distinct server ids, binlog and GTID strict mode, and no GTIDs of its own")
    func group() async throws {
        try await withMariaDBGroup(count: 3) { servers in
            #expect(Set(servers.map(\.port)).count == 3)
            for (index, server) in servers.enumerated() {
                let row = try await server.mariadbCLI(
                    "SELECT @@server_id, @@log_bin, @@binlog_format, @@log_slave_updates, @@gtid_strict_mode, @@gtid_binlog_pos = ''")
                #expect(row == "\(index + 1)\t1\tROW\t1\t1\t1\n")
            }
        }
    }

    @Test("TLS: the server presents a certificate for 127.0.0.1 signed by the exposed CA")
    func tls() async throws {
        try await withMariaDB(.init(tls: true)) { server in
            let ca = try #require(server.caCertificatePath)
            #expect(FileManager.default.fileExists(atPath: ca))
            // mariadbCLI passes --ssl --ssl-ca; also verify the certificate's host explicitly.
            let cipher = try await server.mariadbCLI("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            #expect(cipher.hasPrefix("Ssl_cipher\t"))
            #expect(cipher.trimmingCharacters(in: .whitespacesAndNewlines) != "Ssl_cipher")
            let verified = try await server.mariadbCLI(
                "SELECT 'ok'", extraArguments: ["--ssl-verify-server-cert"])
            #expect(verified == "ok\n")
        }
    }

    @Test("freePort returns distinct ports nobody listens on, below the ephemeral range")
    func freePort() async throws {
        let first = try MariaDBServer.freePort()
        let second = try MariaDBServer.freePort()
        #expect(first != second)
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        if let ephemeralLow = range.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) }) {
            #expect(first > 1024 && first < ephemeralLow)
        }
        try await withMariaDB { server in
            await #expect(throws: MariaDBFixtureError.self) {
                try await server.mariadbCLI("SELECT 1", extraArguments: ["--port=\(first)", "--connect-timeout=2"])
            }
        }
    }

    @Test("a bad server option fails fast with the error log in the message")
    func badOptionFails() async throws {
        do {
            let server = try await MariaDBServer.start(.init(extraArguments: ["--no-such-option-vigil"]))
            await server.stop()
            Issue.record("the server should not have started")
        } catch let error as MariaDBFixtureError {
            guard case .serverExitedDuringStartup = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(error.description.contains("no-such-option-vigil"))
        }
    }
}

private final class LockedPID: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (pid_t, String) = (0, "")
    func set(_ pid: pid_t, _ directory: String) {
        lock.lock()
        value = (pid, directory)
        lock.unlock()
    }
    func get() -> (pid_t, String) {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
