// Failover and switchover timings of a real local group (bench/failover.sh runs this):
// - kill -9 the primary's mariadbd, then measure until the first write acknowledged through
//   the router's read-write port (what an application sees), over N trials;
// - planned switchovers under a write load: the longest gap between acknowledged writes, and
//   the controller's own write-block figure.
// Between trials the group heals (the old primary rejoins) and the cooldown is overridden.
import Foundation
import VigilMySQL

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

@discardableResult
@MainActor func vigil(_ arguments: [String]) -> (status: Int32, out: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.vigil)
    process.arguments = arguments + ["--dir", options.dir]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (127, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
    FileHandle.standardError.write(Data("timed out waiting until \(what)\n".utf8))
    exit(1)
}

let password: String = {
    let data = FileManager.default.contents(atPath: options.dir + "/credentials.json") ?? Data()
    let accounts = (try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]]) ?? [:]
    return accounts["app"]?["password"] ?? ""
}()

@MainActor func appConfig() -> MySQLConfiguration {
    MySQLConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.portBase), user: "app", password: password,
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
guard up.status == 0 else { print(up.out); exit(1) }
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
    guard await writeOnce(nextID) else { print("trial \(trial): the group does not take writes"); exit(1) }
    nextID += 1
    let primary = status()["primary"] as? String ?? ""
    guard let pid = instances().first(where: { $0["name"] as? String == primary })?["pid"] as? Int else { exit(1) }
    let killed = ContinuousClock.now
    kill(pid_t(pid), SIGKILL)
    while !(await writeOnce(nextID)) { try? await Task.sleep(for: .milliseconds(10)) }
    nextID += 1
    let elapsed = seconds(ContinuousClock.now - killed)
    failovers.append(elapsed)
    print(String(format: "failover %2d: %@ killed, first acknowledged write after %.3f s (now %@)", trial, primary, elapsed,
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
    guard result.status == 0 else { print("switchover \(trial) failed: \(result.out)"); continue }
    let reported = (status()["lastFailover"] as? [String: Any])?["writeBlockedMs"] as? Int ?? -1
    clientBlocks.append(worst)
    controllerBlocks.append(Double(reported) / 1000)
    print(String(format: "switchover %2d: %@ | longest gap between acknowledged writes %.3f s, controller write-block %.3f s",
                 trial, result.out.trimmingCharacters(in: .whitespacesAndNewlines), worst, Double(reported) / 1000))
}
gaps.stop = true
await writer.value
vigil(["local", "destroy", "--yes"])

@MainActor func line(_ name: String, _ values: [Double]) {
    print(String(format: "%@: n=%d p50=%.3f s p95=%.3f s max=%.3f s", name, values.count, percentile(values, 0.5),
                 percentile(values, 0.95), values.max() ?? .nan))
}
print("")
line("failover_kill9_to_first_write", failovers)
line("switchover_client_write_gap", clientBlocks)
line("switchover_controller_write_block", controllerBlocks)
print(String(format: "vs targets: failover p50 %.2f× of 3 s, p95 %.2f× of 6 s; switchover p50 %.2f× of 0.5 s",
             percentile(failovers, 0.5) / 3, percentile(failovers, 0.95) / 6, percentile(clientBlocks, 0.5) / 0.5))
print(String(format: "vs reported: KubeBlocks 5–15 s → %.1f–%.1f× faster at p50; Bloodraven ~37 s → %.1f× faster",
             5 / percentile(failovers, 0.5), 15 / percentile(failovers, 0.5), 37 / percentile(failovers, 0.5)))
