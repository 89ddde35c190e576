import Foundation

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
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
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
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
            if state == "Z" || state == "X" { return false }
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
