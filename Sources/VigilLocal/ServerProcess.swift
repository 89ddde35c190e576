import Foundation
import VigilEngine

/// One mariadbd under the supervisor: started with its rendered my.cnf, restarted with
/// exponential backoff when it dies.
struct ServerProcess {
    let name: String
    var pid: pid_t?
    var restarts = 0
    var nextStart: ContinuousClock.Instant?
    /// Set when the process died and was started again: the controller must rejoin it.
    var needsRejoin = false

    static let maxBackoff: Duration = .seconds(10)

    mutating func start(_ executable: String, layout: LocalLayout) throws(LocalError) {
        var args = ["--defaults-file=\(layout.configFile(name))"]
        if geteuid() == 0 { args.append("--user=root") }
        pid = try Spawn.start(executable, args, log: layout.instanceDirectory(name) + "/mysqld.out")
        nextStart = nil
    }

    /// Reaps the process if it exited; schedules its restart.
    mutating func checkExited(now: ContinuousClock.Instant) -> Int32? {
        guard let p = pid, let status = Spawn.reap(p) else { return nil }
        pid = nil
        restarts += 1
        let backoff = min(Self.maxBackoff, .milliseconds(250) * (1 << min(restarts - 1, 6)))
        nextStart = now + backoff
        needsRejoin = true
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
