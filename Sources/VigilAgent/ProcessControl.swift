#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// mysqld's process as its pid file names it.
enum ProcessControl {
    enum Liveness: Equatable {
        case alive(pid_t)
        case dead(pid_t)
        /// No pid file, or not a pid in it (mysqld removes the file on a clean shutdown).
        case unknown
    }

    static func readPID(_ path: String) -> pid_t? {
        guard let bytes = PosixFile.contents(atPath: path), let pid = pid_t(PosixFile.trimmedText(bytes)), pid > 1
        else { return nil }
        return pid
    }

    static func liveness(pidFile: String) -> Liveness {
        guard let pid = readPID(pidFile) else { return .unknown }
        return isAlive(pid) ? .alive(pid) : .dead(pid)
    }

    /// A zombie (exited, not yet reaped by its parent) counts as dead: it serves nothing.
    static func isAlive(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        #if os(Linux)
        // The state letter follows the parenthesised command name, which may itself hold ")".
        if let stat = PosixFile.contents(atPath: "/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
           let state = stat[(close + 1)...].first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
            if state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") { return false }
        }
        #endif
        return true
    }

    enum KillOutcome: Equatable {
        case killed(pid_t)
        case alreadyGone(pid_t)
        case noPID
        case failed(pid_t, String)
    }

    /// SIGKILL the pid in the pid file.
    static func killServer(pidFile: String) -> KillOutcome {
        guard let pid = readPID(pidFile) else { return .noPID }
        if !isAlive(pid) { return .alreadyGone(pid) }
        if kill(pid, SIGKILL) == 0 { return .killed(pid) }
        let code = errno
        if code == ESRCH { return .alreadyGone(pid) }
        return .failed(pid, String(cString: strerror(code)))
    }
}
