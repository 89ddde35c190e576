// Failover and switchover timings of a real local group (bench/failover.sh runs this):
// - kill -9 the primary's mariadbd, then measure until the first write acknowledged through
//   the router's read-write port (what an application sees), over N trials;
// - planned switchovers under a write load: the longest gap between acknowledged writes, and
//   the controller's own write-block figure.
// Between trials the group heals (the old primary rejoins) and the cooldown is overridden.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VigilMySQL

/// Unbuffered, so progress shows up in a log while the benchmark runs.
func say(_ line: String = "") { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

struct Options {
    var vigil = ".build/debug/vigil"
    var dir = "/tmp/vigil-failover-bench"
    var portBase = 24300
    var trials = 20
    var switchovers = 10
}

var options = Options()
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--vigil": options.vigil = args.next() ?? options.vigil
    case "--dir": options.dir = args.next() ?? options.dir
    case "--port-base": options.portBase = Int(args.next() ?? "") ?? options.portBase
    case "--trials": options.trials = Int(args.next() ?? "") ?? options.trials
    case "--switchovers": options.switchovers = Int(args.next() ?? "") ?? options.switchovers
    default:
        FileHandle.standardError.write(Data("usage: vigil-failover-bench [--vigil PATH] [--dir DIR] [--port-base N] [--trials N] [--switchovers N]\n".utf8))
        exit(2)
    }
}

/// Runs the vigil binary with posix_spawn and waitpid (Foundation's Process does not reap a
/// child that started a setsid grandchild, which `vigil local up` does), output via a file.
@discardableResult
@MainActor func vigil(_ arguments: [String]) -> (status: Int32, out: String) {
    let outPath = NSTemporaryDirectory() + "vigil-bench-out-\(getpid())"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([options.vigil] + arguments + ["--dir", options.dir]).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, options.vigil, &actions, nil, argv, environ) == 0 else { return (127, "cannot start \(options.vigil)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    unlink(outPath)
    return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), out)
}

/// Leaves nothing running behind a failed run.
@MainActor func bail(_ why: String) -> Never {
    FileHandle.standardError.write(Data((why + "\n").utf8))
    vigil(["local", "destroy", "--yes"])
    exit(1)
}

@MainActor func status() -> [String: Any] {
    let (_, out) = vigil(["local", "status", "--json"])
    return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
}

@MainActor func instances() -> [[String: Any]] { status()["instances"] as? [[String: Any]] ?? [] }

@MainActor func healthy() -> Bool {
    let list = instances()
    return list.count == 3 && list.allSatisfy { $0["healthy"] as? Bool == true } && status()["primary"] != nil
}

@MainActor func waitUntil(_ what: String, timeout: Duration = .seconds(120), _ condition: () -> Bool) {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return }
        usleep(100_000)
    }
    bail("timed out waiting until \(what)")
}

@MainActor func password() -> String {
    let data = FileManager.default.contents(atPath: options.dir + "/credentials.json") ?? Data()
    let accounts = (try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]]) ?? [:]
    return accounts["app"]?["password"] ?? ""
}

@MainActor func appConfig() -> MySQLConfiguration {
    MySQLConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.portBase), user: "app", password: password(),
                       database: "app", tls: .disable, connectTimeout: .milliseconds(500), queryTimeout: .seconds(2))
}

/// One write through the router on a fresh connection; true when acknowledged.
@MainActor func writeOnce(_ id: Int) async -> Bool {
    guard let conn = try? await MySQLConnection.connect(appConfig()) else { return false }
    defer { Task { await conn.close() } }
    return (try? await conn.query("INSERT INTO bench_t (id) VALUES (\(id))")) != nil
}

@MainActor func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

@MainActor func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

// Set-up: a fresh 3-instance semi-sync group.
vigil(["local", "destroy", "--yes"])
let up = vigil(["local", "up", "--port-base", "\(options.portBase)"])
guard up.status == 0 else { bail(up.out) }
if let conn = try? await MySQLConnection.connect(appConfig()) {
    _ = try? await conn.query("CREATE TABLE bench_t (id INT PRIMARY KEY)")
    await conn.close()
}
var nextID = 1
waitUntil("the group is healthy") { healthy() }

// kill -9 failovers.
var failovers: [Double] = []
for trial in 1...max(1, options.trials) {
    waitUntil("the group is healthy") { healthy() }
    guard await writeOnce(nextID) else { bail("trial \(trial): the group does not take writes") }
    nextID += 1
    let primary = status()["primary"] as? String ?? ""
    guard let pid = instances().first(where: { $0["name"] as? String == primary })?["pid"] as? Int else { bail("no pid for the primary") }
    let killed = ContinuousClock.now
    kill(pid_t(pid), SIGKILL)
    while !(await writeOnce(nextID)) { try? await Task.sleep(for: .milliseconds(10)) }
    nextID += 1
    let elapsed = seconds(ContinuousClock.now - killed)
    failovers.append(elapsed)
    // status.json is rewritten every second: wait until it shows the new primary and the
    // killed instance back (new pid) before the next trial reads pids from it.
    waitUntil("the failover shows in status") {
        let s = status()
        let back = instances().first { $0["name"] as? String == primary }
        return s["primary"] as? String != primary && (back?["pid"] as? Int).map { $0 != pid } == true
    }
    say(String(format: "failover %2d: %@ killed, first acknowledged write after %.3f s (now %@)", trial, primary, elapsed,
                 status()["primary"] as? String ?? "?"))
    vigil(["local", "override-cooldown"])
}

// Planned switchovers under a write load.
final class Gaps: @unchecked Sendable {
    let lock = NSLock()
    var last = ContinuousClock.now
    var worst: Duration = .zero
    var stop = false
    func ack() { lock.lock(); let now = ContinuousClock.now; worst = max(worst, now - last); last = now; lock.unlock() }
    func reset() { lock.lock(); worst = .zero; last = .now; lock.unlock() }
}
let gaps = Gaps()
let writer = Task {
    var id = 1_000_000
    var conn: MySQLConnection?
    while !gaps.stop {
        if conn == nil { conn = try? await MySQLConnection.connect(appConfig()) }
        if let c = conn, (try? await c.query("INSERT INTO bench_t (id) VALUES (\(id))")) != nil {
            gaps.ack()
        } else {
            if let c = conn { await c.close() }
            conn = nil
            try? await Task.sleep(for: .milliseconds(5))
        }
        id += 1
    }
}
var clientBlocks: [Double] = []
var controllerBlocks: [Double] = []
for trial in 1...max(1, options.switchovers) {
    waitUntil("the group is healthy") { healthy() }
    try? await Task.sleep(for: .milliseconds(300))
    gaps.reset()
    let result = vigil(["local", "switchover"])
    try? await Task.sleep(for: .milliseconds(300))
    let worst = seconds(gaps.worst)
    guard result.status == 0 else { say("switchover \(trial) failed: \(result.out)"); continue }
    // The CLI prints the controller's figure ("writes blocked N ms"); status.json may lag a second.
    let reported = result.out.components(separatedBy: "writes blocked ").dropFirst().first
        .flatMap { Int($0.prefix { $0.isNumber }) } ?? -1
    // Let status.json catch up (rewritten every second) before judging health for the next one.
    let stamp = status()["updatedAt"] as? String
    waitUntil("status.json is rewritten") { status()["updatedAt"] as? String != stamp }
    clientBlocks.append(worst)
    controllerBlocks.append(Double(reported) / 1000)
    say(String(format: "switchover %2d: %@ | longest gap between acknowledged writes %.3f s, controller write-block %.3f s",
                 trial, result.out.trimmingCharacters(in: .whitespacesAndNewlines), worst, Double(reported) / 1000))
}
gaps.stop = true
await writer.value
vigil(["local", "destroy", "--yes"])

@MainActor func line(_ name: String, _ values: [Double]) {
    say(String(format: "%@: n=%d p50=%.3f s p95=%.3f s max=%.3f s", name, values.count, percentile(values, 0.5),
                 percentile(values, 0.95), values.max() ?? .nan))
}
say("")
line("failover_kill9_to_first_write", failovers)
line("switchover_client_write_gap", clientBlocks)
line("switchover_controller_write_block", controllerBlocks)
say(String(format: "vs targets: failover p50 %.2f× of 3 s, p95 %.2f× of 6 s; switchover p50 %.2f× of 0.5 s",
             percentile(failovers, 0.5) / 3, percentile(failovers, 0.95) / 6, percentile(clientBlocks, 0.5) / 0.5))
say(String(format: "vs reported: KubeBlocks 5–15 s → %.1f–%.1f× faster at p50; Bloodraven ~37 s → %.1f× faster",
             5 / percentile(failovers, 0.5), 15 / percentile(failovers, 0.5), 37 / percentile(failovers, 0.5)))
