import Foundation
import Testing
import VigilCore
import VigilEngine
import VigilMySQL
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rendered my.cnf is accepted by a real `mariadbd --defaults-file=…` and means what it
/// says. (The fixture starts servers with `--no-defaults`, so this test runs its own.)
@Suite(
    "Rendered my.cnf on real MariaDB",
    .enabled(if: MariaDBServer.isAvailable, "mariadbd not installed: run scripts/lib/ensure-deps.sh"),
    .timeLimit(.minutes(2)))
struct RenderedConfigTests {
    @Test("mariadbd starts with the rendered file: fenced, durable, GTID strict, lossless-ready")
    func startsWithRenderedConfig() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = ServerConfig(
            instanceName: "cnf-test", flavor: .mariadb, serverID: 42, port: try MariaDBServer.freePort(),
            socket: "\(directory)/mysqld.sock", dataDirectory: "\(directory)/data", reportHost: "127.0.0.1",
            gtidDomainID: 3, pidFile: "\(directory)/mysqld.pid", errorLog: "\(directory)/error.log",
            extra: [
                // Small and container-friendly, as the fixture runs its servers.
                ServerOption("innodb_buffer_pool_size", "16M"), ServerOption("innodb_log_file_size", "16M"),
                ServerOption("innodb_use_native_aio", "OFF"), ServerOption("performance_schema", "OFF"),
                ServerOption("skip_name_resolve"),
                // A private tmpdir: servers in other PID namespaces sharing /tmp can pick the
                // same temporary-table names and delete each other's files.
                ServerOption("tmpdir", directory),
            ])
        let text = try ServerConfigRenderer.render(config)
        try text.write(toFile: "\(directory)/my.cnf", atomically: true, encoding: .utf8)

        let installDB = try tool("mariadb-install-db", env: "VIGIL_MARIADB_INSTALL_DB")
        var installArguments = [
            "--no-defaults", "--datadir=\(config.dataDirectory)", "--auth-root-authentication-method=normal",
            "--skip-test-db", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=16M",
            "--innodb-use-native-aio=OFF", "--tmpdir=\(directory)",
        ]
        if geteuid() == 0 { installArguments.append("--user=root") }
        let install = try run(installDB, installArguments, log: "\(directory)/install.log")
        install.waitUntilExit()
        try #require(install.terminationStatus == 0, "mariadb-install-db failed: \(tail("\(directory)/install.log"))")

        // --defaults-file must come first; --user only because the tests may run as root.
        var serverArguments = ["--defaults-file=\(directory)/my.cnf"]
        if geteuid() == 0 { serverArguments.append("--user=root") }
        let server = try run(try tool("mariadbd", env: "VIGIL_MARIADBD", fallback: "/usr/sbin/mariadbd"),
                             serverArguments, log: "\(directory)/console.log")
        do {
            let connection = try await connectWhenReady(socket: config.socket!, server: server, log: config.errorLog!)
            try await check(connection, config: config)
            await connection.close()
        } catch {
            await stop(server)
            throw error
        }
        await stop(server)
        #expect(!server.isRunning)
    }

    private func check(_ connection: MySQLConnection, config: ServerConfig) async throws {
        let row = try #require(try await connection.query("""
            SELECT @@server_id, @@port, @@read_only, @@gtid_strict_mode, @@gtid_domain_id, @@log_bin,
                   @@binlog_format, @@log_slave_updates, @@sync_binlog, @@innodb_flush_log_at_trx_commit,
                   @@sync_relay_log, @@relay_log_recovery, @@report_host, @@report_port, @@slave_net_timeout,
                   @@rpl_semi_sync_slave_enabled, @@rpl_semi_sync_master_enabled,
                   @@rpl_semi_sync_master_wait_point, @@rpl_semi_sync_master_timeout, @@relay_log,
                   @@log_bin_basename LIKE '%/binlog'
            """).rows.first)
        let values = (0..<row.count).map { row.string($0) ?? "NULL" }
        #expect(values == [
            "42", "\(config.port)", "1", "1", "3", "1",
            "ROW", "1", "1", "1",
            "1", "1", "127.0.0.1", "\(config.port)", "4",
            "1", "0",
            "AFTER_SYNC", "4294967295", "relay-bin",
            "1",
        ])
        // skip_slave_start is a startup option without a variable: replication stays off.
        let ops = try await InstanceOperations.detect(instance: config.instanceName, session: connection)
        let observation = try await ops.observe()
        #expect(observation.replica == nil)
        #expect(observation.readOnly == true)
        #expect(observation.roleHint == .unknown)  // fenced, no source: waits for Vigil
        #expect(observation.serverID == 42)
        // init_rpl_role=SLAVE does not stand in the way of a promotion.
        try await ops.promote()
        try await connection.query("CREATE DATABASE app")
        try await connection.query("CREATE TABLE app.t (id INT PRIMARY KEY)")
        try await connection.query("INSERT INTO app.t VALUES (1)")
        let after = try await ops.observe()
        #expect(after.roleHint == .primary)
        #expect(after.executedGTIDs == (try GTIDState(parsing: "3-42-3", flavor: .mariadb)))
    }

    // MARK: Process plumbing

    private func makeTemporaryDirectory() throws -> String {
        // Short: the unix socket path must stay under 108 bytes.
        var template = Array("/tmp/vigil-cnf-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        return String(cString: created)
    }

    private func tool(_ name: String, env: String, fallback: String? = nil) throws -> String {
        if let explicit = ProcessInfo.processInfo.environment[env], !explicit.isEmpty { return explicit }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        if let fallback, FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw HarnessError("\(name) not found")
    }

    private func run(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw HarnessError("cannot create \(log)") }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    private func connectWhenReady(socket: String, server: Process, log: String) async throws -> MySQLConnection {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline {
            guard server.isRunning else {
                throw HarnessError("mariadbd exited (\(server.terminationStatus)) with the rendered config:\n\(tail(log))")
            }
            if FileManager.default.fileExists(atPath: socket),
               let connection = try? await MySQLConnection.connect(MySQLConfiguration(
                   endpoint: .unixSocket(path: socket), user: "root", tls: .disable, queryTimeout: .seconds(30)))
            {
                return connection
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("mariadbd did not accept connections within 60 s:\n\(tail(log))")
    }

    private func stop(_ server: Process) async {
        guard server.isRunning else { return }
        server.terminate()  // SIGTERM: a clean shutdown
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while server.isRunning && clock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
    }

    private func tail(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<no log>"
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}
