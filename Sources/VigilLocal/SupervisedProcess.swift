import Foundation
import VigilEngine

/// One child under the supervisor (a mariadbd, an agent, the links): restarted with
/// exponential backoff when it dies. A process adopted from a killed supervisor is not our
/// child: it cannot be reaped, so it is watched by pid.
struct SupervisedProcess {
    let name: String
    var pid: pid_t?
    var adopted = false
    /// When this process was started or adopted.
    var startedAt: ContinuousClock.Instant?
    var restarts = 0
    var nextStart: ContinuousClock.Instant?
    var diedAt: ContinuousClock.Instant?

    static let maxBackoff: Duration = .seconds(10)

    mutating func start(_ executable: String, _ arguments: [String], log: String) throws(LocalError) {
        pid = try Spawn.start(executable, arguments, log: log)
        startedAt = .now
        adopted = false
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
        guard let p = pid else { return nil }
        let status: Int32
        if adopted {
            guard !Spawn.isAlive(p) else { return nil }
            status = -1  // not ours to reap: how it ended is unknown
        } else {
            guard let reaped = Spawn.reap(p) else { return nil }
            status = reaped
        }
        pid = nil
        adopted = false
        diedAt = now
        restarts += 1
        let backoff = min(Self.maxBackoff, .milliseconds(250) * (1 << min(restarts - 1, 6)))
        nextStart = now + backoff
        return status
    }

    /// Takes over `pid`, left running by a supervisor that died.
    mutating func adopt(_ pid: pid_t) {
        self.pid = pid
        startedAt = .now
        adopted = true
        nextStart = nil
        diedAt = nil
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL.
    mutating func stop(timeout: Duration = .seconds(60)) async {
        guard let p = pid else { return }
        let adopted = self.adopted
        func ended() -> Bool { adopted ? !Spawn.isAlive(p) : Spawn.reap(p) != nil }
        kill(p, SIGCONT)
        kill(p, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if ended() { pid = nil; return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(p, SIGKILL)
        while !ended() { try? await Task.sleep(for: .milliseconds(10)) }
        pid = nil
    }
}
