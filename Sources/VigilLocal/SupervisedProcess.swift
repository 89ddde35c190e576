import Foundation
import VigilEngine

/// One child under the supervisor (a mariadbd, an agent): restarted with exponential backoff
/// when it dies.
struct SupervisedProcess {
    let name: String
    var pid: pid_t?
    var restarts = 0
    var nextStart: ContinuousClock.Instant?
    var diedAt: ContinuousClock.Instant?

    static let maxBackoff: Duration = .seconds(10)

    mutating func start(_ executable: String, _ arguments: [String], log: String) throws(LocalError) {
        pid = try Spawn.start(executable, arguments, log: log)
        nextStart = nil
        diedAt = nil
    }

    /// mariadbd with its rendered my.cnf.
    mutating func startServer(_ mysqld: String, layout: LocalLayout) throws(LocalError) {
        var args = ["--defaults-file=\(layout.configFile(name))"]
        if geteuid() == 0 { args.append("--user=root") }
        try start(mysqld, args, log: layout.instanceDirectory(name) + "/mysqld.out")
    }

    /// Reaps the process if it exited; schedules its restart.
    mutating func checkExited(now: ContinuousClock.Instant) -> Int32? {
        guard let p = pid, let status = Spawn.reap(p) else { return nil }
        pid = nil
        diedAt = now
        restarts += 1
        let backoff = min(Self.maxBackoff, .milliseconds(250) * (1 << min(restarts - 1, 6)))
        nextStart = now + backoff
        return status
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL.
    mutating func stop(timeout: Duration = .seconds(60)) async {
        guard let p = pid else { return }
        kill(p, SIGCONT)
        kill(p, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if Spawn.reap(p) != nil { pid = nil; return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(p, SIGKILL)
        while Spawn.reap(p) == nil { try? await Task.sleep(for: .milliseconds(10)) }
        pid = nil
    }
}
