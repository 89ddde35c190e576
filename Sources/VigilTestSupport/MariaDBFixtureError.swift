import Foundation

/// Why the real-MariaDB test fixture could not do what was asked. Every message says what to do.
public enum MariaDBFixtureError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// No `mariadbd` binary was found.
    case mariadbdNotFound(searched: [String])
    /// No `mariadb-install-db` matching the `mariadbd` binary was found.
    case installDBNotFound(mariadbd: String, searched: [String])
    /// `mariadb-install-db` failed while building the data-directory template.
    case installDBFailed(status: ChildExitStatus, output: String)
    /// The `mariadb` command-line client is not installed.
    case clientNotFound(searched: [String])
    /// `openssl` is missing or failed while generating the throwaway TLS material.
    case opensslFailed(command: String, output: String)
    /// A helper program could not be started at all.
    case spawnFailed(executable: String, reason: String)
    /// A helper program ran past its deadline and was killed.
    case toolTimedOut(command: String, seconds: Double, output: String)
    /// `mariadbd` exited before it answered on its port.
    case serverExitedDuringStartup(status: ChildExitStatus, errorLogPath: String, logTail: String)
    /// `mariadbd` did not answer with a handshake within the start timeout.
    case startTimedOut(seconds: Double, port: Int, errorLogPath: String, logTail: String)
    /// The TCP port was taken (after the retries, or on restart, which must keep its port).
    case portInUse(port: Int, attempts: Int, logTail: String)
    /// The server was already stopped with `stop()`; its directory is gone.
    case alreadyStopped
    /// A temporary directory or file could not be created.
    case temporaryDirectoryFailed(path: String, reason: String)
    /// The unix socket path would exceed the kernel's `sun_path` limit.
    case socketPathTooLong(path: String)
    /// The `mariadb` client exited non-zero.
    case clientFailed(status: ChildExitStatus, sql: String, output: String)

    public var description: String {
        switch self {
        case .mariadbdNotFound(let searched):
            return """
                mariadbd not found (looked in: \(searched.joined(separator: ", "))). \
                Install it with `apt-get install mariadb-server` (or run scripts/lib/ensure-deps.sh), \
                or point VIGIL_MARIADBD / Options.mariadbdPath at a mariadbd binary.
                """
        case .installDBNotFound(let mariadbd, let searched):
            return """
                mariadb-install-db not found for \(mariadbd) (looked in: \(searched.joined(separator: ", "))). \
                Install it with `apt-get install mariadb-server`, or set VIGIL_MARIADB_INSTALL_DB.
                """
        case .installDBFailed(let status, let output):
            return "mariadb-install-db \(status) while building the data-directory template:\n\(output)"
        case .clientNotFound(let searched):
            return """
                the mariadb command-line client was not found (looked in: \(searched.joined(separator: ", "))). \
                Install it with `apt-get install mariadb-client`.
                """
        case .opensslFailed(let command, let output):
            return """
                generating throwaway TLS material failed: `\(command)`: \(output)
                Install openssl with `apt-get install openssl`.
                """
        case .spawnFailed(let executable, let reason):
            return "could not start \(executable): \(reason)"
        case .toolTimedOut(let command, let seconds, let output):
            return "`\(command)` did not finish within \(seconds) s and was killed. Output:\n\(output)"
        case .serverExitedDuringStartup(let status, let errorLogPath, let logTail):
            return """
                mariadbd \(status) during startup. Last lines of \(errorLogPath) \
                (set VIGIL_KEEP_TEST_DIRS=1 to keep it):
                \(logTail)
                """
        case .startTimedOut(let seconds, let port, let errorLogPath, let logTail):
            return """
                mariadbd did not answer on 127.0.0.1:\(port) within \(seconds) s and was killed \
                (machine overloaded? raise Options.startTimeout). Last lines of \(errorLogPath):
                \(logTail)
                """
        case .portInUse(let port, let attempts, let logTail):
            return """
                mariadbd could not bind 127.0.0.1:\(port) (address already in use; \(attempts) attempt(s)). \
                Another process grabbed the port; retry the test. Log:
                \(logTail)
                """
        case .alreadyStopped:
            return "this MariaDBServer was stopped with stop(); its directory is gone. Start a new one."
        case .temporaryDirectoryFailed(let path, let reason):
            return """
                could not create \(path): \(reason). Set VIGIL_TEST_TMPDIR to a writable directory \
                with a short path.
                """
        case .socketPathTooLong(let path):
            return """
                unix socket path \(path) is longer than the 107 bytes the kernel allows. \
                Set VIGIL_TEST_TMPDIR to a shorter directory (e.g. /tmp).
                """
        case .clientFailed(let status, let sql, let output):
            return "mariadb client \(status) running `\(sql)`:\n\(output)"
        }
    }

    public var errorDescription: String? { description }
}
