// A real `mariadbd` on 127.0.0.1 in a throwaway directory, for integration and chaos tests.
//
//     try await withMariaDB { server in
//         // server.port, server.rootUser / server.rootPassword, server.socketPath ...
//     }
//
// Startup is fast (~0.2 s): `mariadb-install-db` runs once per test process into a template
// that each server copies. Servers never outlive the test process (see FixtureRegistry).
//
// Environment knobs:
//   VIGIL_MARIADBD=/path/mariadbd        use this server binary (also Options.mariadbdPath)
//   VIGIL_MARIADB_INSTALL_DB=/path       use this mariadb-install-db
//   VIGIL_TEST_TMPDIR=/dir               where temp directories go (default /dev/shm or $TMPDIR)
//   VIGIL_KEEP_TEST_DIRS=1               keep data directories and logs after the tests
//   VIGIL_REQUIRE_MARIADB=1              `isAvailable` is always true: tests fail, never skip
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A running (or stopped) `mariadbd` owned by the test process.
///
/// Lifecycle methods (`stop`, `stopProcess`, `startProcess`, `restart`) are meant to be called
/// one at a time; `kill(signal:)`, `isRunning` and the properties are safe from anywhere.
public final class MariaDBServer: Sendable {
    public struct Options: Sendable {
        /// `--server-id`.
        public var serverID: Int
        /// Adds `--log-bin`, `--binlog-format=ROW`, `--log-slave-updates`, `--gtid-strict-mode`
        /// (plus a fixed relay-log name), ready to be a replication source or replica.
        public var enableBinlogAndGTID: Bool
        /// Generates a throwaway CA and a server certificate for 127.0.0.1 / localhost and
        /// passes `--ssl-ca/--ssl-cert/--ssl-key`. See `caCertificatePath`.
        public var tls: Bool
        /// Appended last to the server's command line, so they override the fixture's defaults.
        public var extraArguments: [String]
        /// A specific `mariadbd` (default: `$VIGIL_MARIADBD`, `$PATH`, `/usr/sbin/mariadbd`,
        /// `/usr/sbin/mysqld`).
        public var mariadbdPath: String?
        /// How long to wait for the server to answer on its port.
        public var startTimeout: Duration
        /// How long a graceful stop (SIGTERM) may take before SIGKILL.
        public var stopTimeout: Duration

        public init(
            serverID: Int = 1,
            enableBinlogAndGTID: Bool = false,
            tls: Bool = false,
            extraArguments: [String] = [],
            mariadbdPath: String? = nil,
            startTimeout: Duration = .seconds(60),
            stopTimeout: Duration = .seconds(30)
        ) {
            self.serverID = serverID
            self.enableBinlogAndGTID = enableBinlogAndGTID
            self.tls = tls
            self.extraArguments = extraArguments
            self.mariadbdPath = mariadbdPath
            self.startTimeout = startTimeout
            self.stopTimeout = stopTimeout
        }
    }

    // MARK: Availability

    /// Whether a server can be started here, and why (not).
    public static let availability: (available: Bool, reason: String) = {
        do {
            let binaries = try MariaDBBinaries.locate(mariadbdOverride: nil)
            return (true, "using \(binaries.mariadbd) and \(binaries.installDB)")
        } catch {
            if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_MARIADB"] == "1" {
                return (true, "VIGIL_REQUIRE_MARIADB=1, so tests run (and fail): \(error)")
            }
            return (false, "\(error)")
        }
    }()

    /// For `@Test(.enabled(if: MariaDBServer.isAvailable, "..."))`.
    public static var isAvailable: Bool { availability.available }

    /// Why servers cannot start (nil when they can), e.g. "mariadbd not found ... install with
    /// `apt-get install mariadb-server` ...".
    public static var unavailableReason: String? {
        availability.available ? nil : availability.reason
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now: below the kernel's ephemeral
    /// range and never handed out before by this process. For tests that need a closed port
    /// or run a listener of their own.
    public static func freePort() throws -> Int {
        try FixtureRegistry.shared.pickFreePort()
    }

    // MARK: Properties

    /// Always 127.0.0.1: the server binds loopback only.
    public let host: String = "127.0.0.1"
    public let port: Int
    /// The unix socket (`--socket`).
    public let socketPath: String
    /// `--datadir`.
    public let dataDirectory: String
    /// This server's temp directory: holds `data/`, the socket, pid file, logs, init file.
    public let baseDirectory: String
    /// `--log-error`.
    public let errorLogPath: String
    /// `--pid-file`.
    public let pidFilePath: String
    /// An account with ALL PRIVILEGES WITH GRANT OPTION, usable over TCP from 127.0.0.1 and
    /// over the unix socket ('vigil_test'@'127.0.0.1' and 'vigil_test'@'localhost').
    public let rootUser: String
    /// Random per server.
    public let rootPassword: String
    /// `--server-id`.
    public let serverID: Int
    /// The options this server was started with.
    public let options: Options
    /// The throwaway CA that signed the server certificate, when `options.tls`.
    public let caCertificatePath: String?
    /// The full `mariadbd` command line (without the executable).
    public let serverArguments: [String]
    /// The `mariadbd` binary.
    public let executablePath: String

    private let serial: UInt64
    private let state: LockedBox<State>

    private struct State {
        /// The live, unreaped child (nil once reaped).
        var pid: pid_t?
        var lastPID: pid_t
        var lastExit: ChildExitStatus?
        var finalStopRequested = false
        var cleanedUp = false
    }

    /// The current (or last) process id of `mariadbd`.
    public var pid: pid_t { state.withLock { $0.lastPID } }

    /// Whether the process exists (a SIGSTOPped server counts as running). Reaps it if it died.
    public var isRunning: Bool { state.withLock { reapLocked(&$0) } }

    /// How the last process ended, once it has (nil while running).
    public var lastExitStatus: ChildExitStatus? {
        state.withLock { state in
            _ = reapLocked(&state)
            return state.lastExit
        }
    }

    private init(
        port: Int, paths: Paths, password: String, options: Options, tls: TLSMaterial?,
        arguments: [String], executable: String, serial: UInt64, pid: pid_t
    ) {
        self.port = port
        self.socketPath = paths.socket
        self.dataDirectory = paths.data
        self.baseDirectory = paths.base
        self.errorLogPath = paths.errorLog
        self.pidFilePath = paths.pidFile
        self.rootUser = Self.testUser
        self.rootPassword = password
        self.serverID = options.serverID
        self.options = options
        self.caCertificatePath = tls?.caCertificate
        self.serverArguments = arguments
        self.executablePath = executable
        self.serial = serial
        self.state = LockedBox(State(pid: pid, lastPID: pid))
    }

    deinit {
        let (pid, cleanedUp) = state.withLock { state in
            let pid = state.pid
            state.pid = nil
            return (pid, state.cleanedUp)
        }
        if let pid {
            FileHandle.standardError.write(
                Data("VigilTestSupport: MariaDBServer on port \(port) was never stopped; SIGKILLed pid \(pid).\n".utf8))
            sendSignal(pid, SIGKILL)
            _ = reapBlocking(pid)
        }
        if !cleanedUp {
            FixtureRegistry.shared.unregister(serial)
            Self.removeDirectory(baseDirectory)
        }
    }

    // MARK: Starting

    static let testUser = "vigil_test"

    private struct Paths {
        var base: String
        var data: String
        var socket: String
        var pidFile: String
        var errorLog: String
        var consoleLog: String
        var initFile: String

        init(base: String) {
            self.base = base
            data = "\(base)/data"
            socket = "\(base)/mysqld.sock"
            pidFile = "\(base)/mysqld.pid"
            errorLog = "\(base)/error.log"
            consoleLog = "\(base)/console.log"
            initFile = "\(base)/init.sql"
        }
    }

    /// Starts a fresh server: copies the data-directory template, picks a free port (retrying
    /// up to 3 times if it gets taken), and returns once the server answers on its port and
    /// the test account exists.
    public static func start(_ options: Options = .init()) async throws -> MariaDBServer {
        let binaries = try MariaDBBinaries.locate(mariadbdOverride: options.mariadbdPath)
        let template = try await FixtureCache.shared.template(for: binaries)
        let tls = options.tls ? try await FixtureCache.shared.tlsMaterial() : nil
        let root = try FixtureRegistry.shared.root()

        var directoryTemplate = Array("\(root)/srv-XXXXXX".utf8CString)
        guard let created = mkdtemp(&directoryTemplate) else {
            throw MariaDBFixtureError.temporaryDirectoryFailed(
                path: root, reason: String(cString: strerror(errno)))
        }
        let paths = Paths(base: String(cString: created))
        let serial = FixtureRegistry.shared.register(directory: paths.base)
        do {
            guard paths.socket.utf8.count < 107 else {
                throw MariaDBFixtureError.socketPathTooLong(path: paths.socket)
            }
            let password = randomPassword()
            do {
                try FileManager.default.copyItem(atPath: template, toPath: paths.data)
                try initSQL(password: password).write(toFile: paths.initFile, atomically: false, encoding: .utf8)
                chmod(paths.initFile, 0o600)
            } catch {
                throw MariaDBFixtureError.temporaryDirectoryFailed(path: paths.base, reason: "\(error)")
            }
            let attempts = 3
            for attempt in 1...attempts {
                let port = try FixtureRegistry.shared.pickFreePort()
                let arguments = serverArguments(
                    binaries: binaries, paths: paths, port: port, options: options, tls: tls)
                do {
                    let pid = try await launch(
                        executable: binaries.mariadbd, arguments: arguments, paths: paths, port: port,
                        serial: serial, timeout: options.startTimeout)
                    return MariaDBServer(
                        port: port, paths: paths, password: password, options: options, tls: tls,
                        arguments: arguments, executable: binaries.mariadbd, serial: serial, pid: pid)
                } catch let busy as AddressInUse {
                    if attempt == attempts {
                        throw MariaDBFixtureError.portInUse(port: port, attempts: attempts, logTail: busy.logTail)
                    }
                }
            }
            throw MariaDBFixtureError.portInUse(port: 0, attempts: attempts, logTail: "")
        } catch {
            FixtureRegistry.shared.unregister(serial)
            removeDirectory(paths.base)
            throw error
        }
    }

    /// Starts `count` servers concurrently with server ids `options.serverID ..< +count`, binlog
    /// and GTID enabled. If any fails, the others are stopped and the first error is thrown.
    public static func startGroup(count: Int, _ options: Options = .init()) async throws -> [MariaDBServer] {
        try await withThrowingTaskGroup(of: (Int, MariaDBServer).self) { group in
            for index in 0..<count {
                var memberOptions = options
                memberOptions.serverID = options.serverID + index
                memberOptions.enableBinlogAndGTID = true
                let finalOptions = memberOptions
                group.addTask { (index, try await MariaDBServer.start(finalOptions)) }
            }
            var servers = [MariaDBServer?](repeating: nil, count: count)
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success(let (index, server)): servers[index] = server
                case .failure(let error): firstError = firstError ?? error
                }
            }
            if let firstError {
                for server in servers.compactMap({ $0 }) { await server.stop() }
                throw firstError
            }
            return servers.compactMap { $0 }
        }
    }

    private static func initSQL(password: String) -> String {
        // Not binlogged: otherwise every server would start with its own GTIDs, which breaks
        // replication setups under gtid_strict_mode. Runs on every (re)start; idempotent.
        let user = testUser
        return """
            SET SESSION sql_log_bin = 0;
            CREATE USER IF NOT EXISTS '\(user)'@'127.0.0.1' IDENTIFIED BY '\(password)';
            CREATE USER IF NOT EXISTS '\(user)'@'localhost' IDENTIFIED BY '\(password)';
            GRANT ALL PRIVILEGES ON *.* TO '\(user)'@'127.0.0.1' WITH GRANT OPTION;
            GRANT ALL PRIVILEGES ON *.* TO '\(user)'@'localhost' WITH GRANT OPTION;

            """
    }

    private static func serverArguments(
        binaries: MariaDBBinaries, paths: Paths, port: Int, options: Options, tls: TLSMaterial?
    ) -> [String] {
        var arguments = ["--no-defaults"]
        if binaries.baseDirectory != "/usr" { arguments.append("--basedir=\(binaries.baseDirectory)") }
        arguments += [
            "--datadir=\(paths.data)",
            "--socket=\(paths.socket)",
            "--port=\(port)",
            "--bind-address=127.0.0.1",
            "--pid-file=\(paths.pidFile)",
            "--log-error=\(paths.errorLog)",
            "--skip-name-resolve",
        ]
        arguments += commonServerArguments
        arguments += [
            "--init-file=\(paths.initFile)",
            "--server-id=\(options.serverID)",
            // Probes that disconnect before authenticating must not get 127.0.0.1 blocked.
            "--max-connect-errors=1000000",
            "--report-host=127.0.0.1",
            "--report-port=\(port)",
        ]
        if runningAsRoot { arguments.append("--user=root") }
        if options.enableBinlogAndGTID {
            arguments += [
                "--log-bin=mariadb-bin",
                "--log-bin-index=mariadb-bin.index",
                "--relay-log=relay-bin",
                "--relay-log-index=relay-bin.index",
                "--binlog-format=ROW",
                "--log-slave-updates=ON",
                "--gtid-strict-mode=ON",
            ]
        }
        if let tls {
            arguments += [
                "--ssl-ca=\(tls.caCertificate)",
                "--ssl-cert=\(tls.serverCertificate)",
                "--ssl-key=\(tls.serverKey)",
            ]
        }
        return arguments + options.extraArguments
    }

    private struct AddressInUse: Error {
        var logTail: String
    }

    /// Spawns mariadbd and waits until it answers. On failure the process is gone (reaped).
    private static func launch(
        executable: String, arguments: [String], paths: Paths, port: Int, serial: UInt64,
        timeout: Duration
    ) async throws -> pid_t {
        let errorLogOffset = fileSize(paths.errorLog)
        let consoleOffset = fileSize(paths.consoleLog)
        let pid = try spawnChild(
            SpawnRequest(executable: executable, arguments: arguments, standardOutputPath: paths.consoleLog))
        FixtureRegistry.shared.setPID(pid, for: serial)

        func logTail() -> String {
            let console = tailOfFile(paths.consoleLog, from: consoleOffset, maxLines: 10)
            let log = tailOfFile(paths.errorLog, from: errorLogOffset)
            return console.isEmpty ? log : "\(console)\n\(log)"
        }
        func killAndReap() {
            sendSignal(pid, SIGKILL)
            _ = reapBlocking(pid)
            FixtureRegistry.shared.setPID(nil, for: serial)
        }

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let status = reapIfExited(pid) {
                FixtureRegistry.shared.setPID(nil, for: serial)
                let tail = logTail()
                if tail.contains("Address already in use") { throw AddressInUse(logTail: tail) }
                throw MariaDBFixtureError.serverExitedDuringStartup(
                    status: status, errorLogPath: paths.errorLog, logTail: tail)
            }
            if Task.isCancelled {
                killAndReap()
                throw CancellationError()
            }
            if clock.now >= deadline {
                killAndReap()
                throw MariaDBFixtureError.startTimedOut(
                    seconds: timeout.seconds, port: port, errorLogPath: paths.errorLog, logTail: logTail())
            }
            // The handshake proves someone answers on the port; the log line proves it is our
            // server (not another process that grabbed the port while ours fails to bind).
            if await probeHandshake(port: port, attemptTimeout: .seconds(2)) == .ready,
                tailOfFile(paths.errorLog, from: errorLogOffset, maxLines: 1000).contains("ready for connections")
            {
                return pid
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Stopping and chaos

    /// Stops the server for good: SIGTERM, wait up to `options.stopTimeout`, then SIGKILL; then
    /// removes its directory (unless VIGIL_KEEP_TEST_DIRS=1). Idempotent; never throws, also
    /// finishes when the calling task is cancelled.
    public func stop() async {
        let first = state.withLock { state in
            defer { state.finalStopRequested = true }
            return !state.finalStopRequested
        }
        guard first else {
            while !state.withLock({ $0.cleanedUp }) { await uncancellableSleep(.milliseconds(10)) }
            return
        }
        await stopProcess()
        FixtureRegistry.shared.unregister(serial)
        Self.removeDirectory(baseDirectory)
        state.withLock { $0.cleanedUp = true }
    }

    /// Stops the process gracefully (SIGCONT + SIGTERM, then SIGKILL after `timeout`, default
    /// `options.stopTimeout`) but keeps the directory, so `startProcess()` can bring it back.
    public func stopProcess(timeout: Duration? = nil) async {
        guard isRunning else { return }
        kill(signal: SIGCONT)  // a SIGSTOPped server cannot act on SIGTERM
        kill(signal: SIGTERM)
        if await waitUntilExited(timeout: timeout ?? options.stopTimeout) { return }
        kill(signal: SIGKILL)
        if await waitUntilExited(timeout: .seconds(10)) { return }
        // SIGKILL cannot be ignored; whatever is left is about to vanish.
        state.withLock { state in
            guard let pid = state.pid else { return }
            state.lastExit = reapBlocking(pid)
            state.pid = nil
            FixtureRegistry.shared.setPID(nil, for: serial)
        }
    }

    /// Starts the process again on the same port with the same data directory (e.g. after
    /// `kill(signal: SIGKILL)`, to exercise crash recovery). No-op when already running.
    public func startProcess() async throws {
        let stopped = state.withLock { $0.finalStopRequested }
        if stopped { throw MariaDBFixtureError.alreadyStopped }
        if isRunning { return }
        do {
            let pid = try await Self.launch(
                executable: executablePath, arguments: serverArguments, paths: Paths(base: baseDirectory),
                port: port, serial: serial, timeout: options.startTimeout)
            state.withLock { state in
                state.pid = pid
                state.lastPID = pid
                state.lastExit = nil
            }
        } catch let busy as AddressInUse {
            throw MariaDBFixtureError.portInUse(port: port, attempts: 1, logTail: busy.logTail)
        }
    }

    /// `stopProcess()` then `startProcess()`: same port, same data directory, new pid.
    public func restart() async throws {
        await stopProcess()
        try await startProcess()
    }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM, ...) to the server if its process
    /// still exists. Returns whether a signal was sent. Never signals a reaped pid.
    @discardableResult
    public func kill(signal: Int32) -> Bool {
        state.withLock { state in
            guard reapLocked(&state), let pid = state.pid else { return false }
            return sendSignal(pid, signal)
        }
    }

    /// Waits until the process has exited (and reaps it). Returns false on timeout.
    public func waitUntilExited(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var interval = Duration.milliseconds(2)
        while isRunning {
            if clock.now >= deadline { return false }
            await uncancellableSleep(interval)
            interval = min(interval * 2, .milliseconds(25))
        }
        return true
    }

    /// Reaps the child if it exited; returns whether it is still there.
    private func reapLocked(_ state: inout State) -> Bool {
        guard let pid = state.pid else { return false }
        guard let status = reapIfExited(pid) else { return true }
        state.pid = nil
        state.lastExit = status
        FixtureRegistry.shared.setPID(nil, for: serial)
        return false
    }

    private static func removeDirectory(_ path: String) {
        if keepTestDirectories {
            FileHandle.standardError.write(Data("VigilTestSupport: kept \(path)\n".utf8))
            return
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: SQL through the mariadb command-line client

    /// Runs `sql` with the `mariadb` command-line client (batch mode: tab-separated rows, no
    /// column names) and returns its stdout. An independent, known-good client for seeding
    /// and checking state in tests. The password travels in MYSQL_PWD, never in argv.
    /// `extraArguments` go to the client (e.g. `--ssl-verify-server-cert`).
    public func mariadbCLI(
        _ sql: String, database: String? = nil, overSocket: Bool = false,
        extraArguments: [String] = [], timeout: Duration = .seconds(60)
    ) async throws -> String {
        let client = try Self.clientPath()
        var arguments = ["--no-defaults", "--user=\(rootUser)", "--batch", "--skip-column-names"]
        if overSocket {
            arguments += ["--protocol=SOCKET", "--socket=\(socketPath)"]
        } else {
            arguments += ["--protocol=TCP", "--host=\(host)", "--port=\(port)"]
        }
        if let caCertificatePath {
            arguments += ["--ssl", "--ssl-ca=\(caCertificatePath)"]
        } else {
            arguments.append("--skip-ssl")
        }
        if let database { arguments.append("--database=\(database)") }
        arguments += extraArguments + ["--execute=\(sql)"]
        let id = UUID().uuidString.prefix(8)
        let outputPath = "\(baseDirectory)/cli-\(id).out"
        let errorPath = "\(baseDirectory)/cli-\(id).err"
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let (status, output) = try await runTool(
            client, arguments, environment: ["MYSQL_PWD": rootPassword], outputPath: outputPath,
            errorPath: errorPath, timeout: timeout)
        guard status == .exited(0) else {
            throw MariaDBFixtureError.clientFailed(status: status, sql: sql, output: readText(errorPath) + output)
        }
        return output
    }

    /// The `mariadb` command-line client.
    public static func clientPath() throws -> String {
        var searched = ["$PATH"]
        if let found = findInPath("mariadb") { return found }
        for candidate in ["/usr/bin/mariadb", "/usr/bin/mysql"] {
            searched.append(candidate)
            if isExecutableFile(candidate) { return candidate }
        }
        throw MariaDBFixtureError.clientNotFound(searched: searched)
    }
}

// MARK: - Scoped helpers

/// Starts a server, runs `body`, and stops the server on every path (return, throw,
/// cancellation).
@discardableResult
public func withMariaDB<T: Sendable>(
    _ options: MariaDBServer.Options = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (MariaDBServer) async throws -> T
) async throws -> T {
    let server = try await MariaDBServer.start(options)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Starts `count` servers concurrently (server ids `options.serverID`, +1, ...; binlog and
/// GTID enabled), runs `body`, and stops them all on every path.
@discardableResult
public func withMariaDBGroup<T: Sendable>(
    count: Int,
    _ options: MariaDBServer.Options = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: ([MariaDBServer]) async throws -> T
) async throws -> T {
    let servers = try await MariaDBServer.startGroup(count: count, options)
    do {
        let result = try await body(servers)
        for server in servers { await server.stop() }
        return result
    } catch {
        for server in servers { await server.stop() }
        throw error
    }
}
