import Foundation
import VigilPOSIX
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with stdin from /dev/null and output appended to a log file. Foundation's
/// Process is avoided: it cannot start a new session, and we reap our own children.
enum Spawn {
    static func start(_ executable: String, _ arguments: [String], log: String, newSession: Bool = false,
                      environment: [String: String]? = nil) throws(LocalError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours leaks into the child: an inherited listening socket would keep
        // our ports bound (and accepting) after we close them, for as long as the child lives.
        closeInheritedDescriptors(&actions)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= 0x80 }  // POSIX_SPAWN_SETSID (glibc): survive the terminal
        posix_spawnattr_setflags(&attr, Int16(flags))
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attr, &defaults)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw .failed("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Starts a tool and waits for it within `limit`, its output appended to `log`: its exit
    /// status, or nil when it ran out of time and was killed (with its whole session when it
    /// runs in one of its own: a script and what it started) and reaped.
    static func run(_ executable: String, _ arguments: [String], log: String, within limit: Duration,
                    newSession: Bool = false) async throws(LocalError) -> Int32? {
        let pid = try start(executable, arguments, log: log, newSession: newSession)
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let status = reap(pid) { return status }
            await pause(microseconds: 20_000)
        }
        kill(newSession ? -pid : pid, SIGKILL)
        while reap(pid) == nil { await pause(microseconds: 10_000) }
        return nil
    }

    /// Sleeps, also in a cancelled task (which must still wait for its child, not spin).
    private static func pause(microseconds: UInt32) async {
        if (try? await Task.sleep(nanoseconds: UInt64(microseconds) * 1_000)) == nil { usleep(microseconds) }
    }

    /// Exit code (or 128+signal) once `pid` has exited; nil while it runs.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == 0 { return nil }
        if r < 0 { return errno == ECHILD ? -1 : nil }
        let sig = status & 0x7F
        return sig == 0 ? (status >> 8) & 0xFF : 128 + sig
    }

    /// Running, not a zombie. A process that started the supervisor itself (`vigil verify`,
    /// tests with `--foreground`) must reap it, or `down` would wait for a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") { return false }
        return true
    }

    /// The pid recorded in `pidFile` if that process runs and is ours: its command line
    /// contains `marker` (a path of this group), so a recycled pid is not mistaken for it.
    static func runningPID(in pidFile: String, commandLineContains marker: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), isAlive(pid),
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let line = String(decoding: cmdline.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return line.contains(marker) ? pid : nil
    }

    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The first of `names` (alternative names of one MariaDB tool) beside `mysqld`'s
    /// installation (its `../bin`) for the first name, else on the PATH.
    static func tool(_ names: [String], near mysqld: String) -> String? {
        let bin = URL(fileURLWithPath: mysqld).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bin").path
        return which(bin + "/" + names[0]) ?? names.lazy.compactMap(which).first
    }

    static func tail(_ path: String, lines: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
