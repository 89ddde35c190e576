// Does observing slow the control loop? (bench/observe.sh runs this.) A local group under a
// write load (so its status changes every probe round) is measured twice for the same time:
// with no status clients, then with N WebSocket clients on /ws/status of which one never
// reads; a switchover every 10 s in both phases. The figures come from the controller's own metrics: the time between the starts of
// consecutive probe rounds (1 s when on time), the control loop's pass duration and each
// probe's duration; and from the broadcaster: snapshots published, clients dropped.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HummingbirdWSClient
import Logging
import VigilHTTP
import VigilMySQL

func say(_ line: String = "") { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

struct Options {
    var vigil = ".build/debug/vigil"
    var dir = "/tmp/vigil-observe-bench"
    var portBase = 24400
    var seconds = 30
    var clients = 100
}

func parseOptions() -> Options {
var options = Options()
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--vigil": options.vigil = args.next() ?? options.vigil
    case "--dir": options.dir = args.next() ?? options.dir
    case "--port-base": options.portBase = Int(args.next() ?? "") ?? options.portBase
    case "--seconds": options.seconds = Int(args.next() ?? "") ?? options.seconds
    case "--clients": options.clients = Int(args.next() ?? "") ?? options.clients
    default:
        FileHandle.standardError.write(Data("usage: vigil-observe-bench [--vigil PATH] [--dir DIR] [--port-base N] [--seconds N] [--clients N]\n".utf8))
        exit(2)
    }
}
return options
}

let options = parseOptions()

/// Runs the vigil binary (posix_spawn + waitpid: `local up` starts a setsid grandchild).
@discardableResult
func vigil(_ arguments: [String]) -> (status: Int32, out: String) {
    let outPath = NSTemporaryDirectory() + "vigil-observe-bench-out-\(getpid())"
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

func bail(_ why: String) -> Never {
    FileHandle.standardError.write(Data((why + "\n").utf8))
    vigil(["local", "destroy", "--yes"])
    exit(1)
}

// MARK: metrics

/// `name{labels} value` lines of one family, summed over label sets per `le` for buckets.
struct Scrape {
    var values: [String: Double] = [:]  // "name|le" → value (summed over other labels)

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = series.split(separator: "{").first.map(String.init) ?? String(series)
            var le = ""
            if let r = series.range(of: "le=\"") {
                le = String(series[r.upperBound...].prefix { $0 != "\"" })
            }
            values["\(name)|\(le)", default: 0] += value
        }
    }

    func v(_ name: String, le: String = "") -> Double { values["\(name)|\(le)"] ?? 0 }
}

func scrape() async -> Scrape {
    let response = try? await HTTPClient.request(url: "http://127.0.0.1:\(options.portBase + 2)/metrics")
    return Scrape(response?.text ?? "")
}

struct Figures {
    var rounds: Double
    var meanInterval: Double
    var p99Interval: String
    var meanPass: Double
    var meanProbe: Double
    var late: Double  // share of rounds more than 10 ms late
}

/// Figures over the window between two scrapes.
func figures(_ a: Scrape, _ b: Scrape) -> Figures {
    let n = b.v("vigil_probe_round_interval_seconds_count") - a.v("vigil_probe_round_interval_seconds_count")
    let sum = b.v("vigil_probe_round_interval_seconds_sum") - a.v("vigil_probe_round_interval_seconds_sum")
    let bounds = ["0.9", "0.99", "1.0", "1.005", "1.01", "1.025", "1.05", "1.1", "1.25", "1.5", "2.0", "5.0", "+Inf"]
    func inBucket(_ le: String) -> Double {
        b.v("vigil_probe_round_interval_seconds_bucket", le: le) - a.v("vigil_probe_round_interval_seconds_bucket", le: le)
    }
    let p99 = bounds.first { n > 0 && inBucket($0) >= 0.99 * n }.map { "≤ \($0) s" } ?? "?"
    let passN = b.v("vigil_reconcile_duration_seconds_count") - a.v("vigil_reconcile_duration_seconds_count")
    let passSum = b.v("vigil_reconcile_duration_seconds_sum") - a.v("vigil_reconcile_duration_seconds_sum")
    let probeN = b.v("vigil_probe_duration_seconds_count") - a.v("vigil_probe_duration_seconds_count")
    let probeSum = b.v("vigil_probe_duration_seconds_sum") - a.v("vigil_probe_duration_seconds_sum")
    return Figures(rounds: n, meanInterval: n > 0 ? sum / n : 0, p99Interval: p99,
                   meanPass: passN > 0 ? passSum / passN : 0, meanProbe: probeN > 0 ? probeSum / probeN : 0,
                   late: n > 0 ? (n - inBucket("1.01")) / n : 0)
}

func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }

func show(_ label: String, _ f: Figures) {
    say("  \(label): \(Int(f.rounds)) rounds; interval mean \(String(format: "%.4f", f.meanInterval)) s (p99 \(f.p99Interval)), "
        + "\(String(format: "%.0f", f.late * 100))% > 10 ms late; loop pass mean \(ms(f.meanPass)); probe mean \(ms(f.meanProbe))")
}

// MARK: load and clients

/// Inserts through the router's read-write port until cancelled (reconnecting after a
/// switchover closes the session): GTIDs move every round.
func writeLoad(password: String) async -> Int {
    var count = 0
    var conn: MySQLConnection?
    while !Task.isCancelled {
        if conn == nil {
            conn = try? await MySQLConnection.connect(MySQLConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: options.portBase), user: "app", password: password, database: "app",
                tls: .disable, connectTimeout: .seconds(2), queryTimeout: .seconds(10)))
            _ = try? await conn?.query("CREATE TABLE IF NOT EXISTS observe_bench (id INT AUTO_INCREMENT PRIMARY KEY, at BIGINT)")
        }
        if let c = conn {
            if (try? await c.query("INSERT INTO observe_bench (at) VALUES (\(count))")) != nil {
                count += 1
            } else {
                await c.close()
                conn = nil
            }
        }
        try? await Task.sleep(for: .milliseconds(20))
    }
    await conn?.close()
    return count
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

/// A client that sends the upgrade request and never reads (a 4 KiB receive buffer).
func stalledClient() -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var size: Int32 = 4096
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(options.portBase + 2).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    let request = "GET /ws/status HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    _ = request.withCString { write(fd, $0, strlen($0)) }
    return fd
}

// MARK: run

let base = options.portBase
vigil(["local", "destroy", "--yes"])
say("vigil-observe-bench: 3-instance semisync group on 127.0.0.1:\(base)…, \(options.seconds) s per phase, \(options.clients) WebSocket clients (1 never reads)")
let up = vigil(["local", "up", "--port-base", "\(base)"])
guard up.status == 0 else { bail("up failed:\n\(up.out)") }
let creds = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: options.dir + "/credentials.json")))) as? [String: [String: String]]
let password = creds?["app"]?["password"] ?? ""

let load = Task { await writeLoad(password: password) }
// Switchovers every 10 s in both phases: failover timelines, events and bigger snapshots.
let switchovers = Task.detached {
    var n = 0
    while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(10))
        if Task.isCancelled { break }
        if vigil(["local", "switchover"]).status == 0 { n += 1 }
    }
    return n
}
try? await Task.sleep(for: .seconds(3))  // settle

// Phase 1: no clients.
let a0 = await scrape()
try? await Task.sleep(for: .seconds(options.seconds))
let a1 = await scrape()
let baseline = figures(a0, a1)

// Phase 2: N clients, one never reading.
let received = Counter()
let logger = Logger(label: "observe-bench")
var readers: [Task<Void, Never>] = []
for _ in 0..<(options.clients - 1) {
    readers.append(Task {
        _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(base + 2)/ws/status", logger: logger) { inbound, _, _ in
            for try await message in inbound.messages(maxSize: 1 << 22) {
                if case .text = message { received.add() }
            }
        }
    })
}
let stalled = stalledClient()
try? await Task.sleep(for: .seconds(2))  // all connected
let b0 = await scrape()
let receivedBefore = received.value
try? await Task.sleep(for: .seconds(options.seconds))
let b1 = await scrape()
let receivedDuring = received.value - receivedBefore
let loaded = figures(b0, b1)
load.cancel()
switchovers.cancel()
let writes = await load.value
let switched = await switchovers.value
for r in readers { r.cancel() }
close(stalled)

say("results (\(writes) writes and \(switched) switchovers during the run):")
show("0 clients          ", baseline)
show("\(options.clients) clients (1 stalled)", loaded)
let published = b1.v("vigil_status_published") - b0.v("vigil_status_published")
say("  snapshots published in phase 2: \(Int(published)); received by the \(options.clients - 1) readers: \(receivedDuring) "
    + "(\(published > 0 ? String(format: "%.1f", Double(receivedDuring) / published / Double(options.clients - 1) * 100) : "?")% of published × readers); "
    + "clients at the end \(Int(b1.v("vigil_status_clients"))), dropped \(Int(b1.v("vigil_status_clients_dropped")))")
if baseline.meanInterval > 0 {
    say(String(format: "  ratio (with clients / without): round interval %.4f, loop pass %.2f, probe %.2f",
               loaded.meanInterval / baseline.meanInterval, baseline.meanPass > 0 ? loaded.meanPass / baseline.meanPass : 0,
               baseline.meanProbe > 0 ? loaded.meanProbe / baseline.meanProbe : 0))
}
vigil(["local", "destroy", "--yes"])
