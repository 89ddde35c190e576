// The Swift side of bench/client.sh: SELECT 1 round trips and a 200k-row result set through
// VigilMySQL, printed in the same format as bench/c/clientbench.c.
import Foundation
import NIOCore
import NIOPosix
import VigilMySQL

let args = CommandLine.arguments
guard args.count >= 5, let port = Int(args[2]), let n = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: vigil-bench host port user queries\n".utf8))
    exit(2)
}
let password = ProcessInfo.processInfo.environment["MYSQL_PWD"] ?? ""

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var config = MySQLConfiguration(endpoint: .tcp(host: args[1], port: port), user: args[3], password: password,
                                database: "bench", tls: .disable)
let conn = try await MySQLConnection.connect(config)

/// Sequential SELECT 1 round trips after 200 untimed ones (as in clientbench.c: first-use
/// costs are not round-trip latency); returns microseconds per query.
func selectOneLoop(_ conn: MySQLConnection = conn) async throws -> Double {
    var t0 = now()
    for i in -200..<n {
        if i == 0 { t0 = now() }
        let r = try await conn.query("SELECT 1")
        guard r.rows.first?.rawBytes(at: 0)?.first == UInt8(ascii: "1") else { exit(1) }
    }
    return (now() - t0) / Double(n) * 1e6
}
// `latency` as a fifth argument: only the pinned SELECT 1 loop (the interleaved phase of
// bench/client.sh).
if args.count > 5 && args[5] == "latency" {
    let pinned = try await withTaskExecutorPreference(conn.taskExecutor) { try await selectOneLoop() }
    print(String(format: "latency_us_per_query=%.2f", pinned))
    await conn.close()
    exit(0)
}
// Default scheduling (the task on Swift's global executor: every query hands off to the
// connection's loop thread and back) and pinned to the connection's loop (what a caller that
// wants the lowest latency does; the round trip then stays on one thread).
print(String(format: "latency_us_per_query_global_executor=%.2f", try await selectOneLoop()))
let pinned = try await withTaskExecutorPreference(conn.taskExecutor) { try await selectOneLoop() }
print(String(format: "latency_us_per_query=%.2f", pinned))
// The same pinned loop over the NIO transport (what TLS connections run on), for comparison.
var nioConfig = config
nioConfig.transport = .nio
let nioConn = try await MySQLConnection.connect(nioConfig)
let nioPinned = try await withTaskExecutorPreference(nioConn.taskExecutor) { try await selectOneLoop(nioConn) }
print(String(format: "latency_us_per_query_nio_transport=%.2f", nioPinned))
await nioConn.close()

try await withTaskExecutorPreference(conn.taskExecutor) {
for _ in 0..<3 {
    let t2 = now()
    let r = try await conn.query("SELECT id, k, c, pad FROM rows200k")
    var bytes = 0
    let columns = r.columns.count
    for row in r.rows {
        for f in 0..<columns { bytes += row.rawBytes(at: f)?.count ?? 0 }
    }
    let t3 = now()
    print(String(format: "rows=%d bytes=%d rows_per_s=%.0f", r.rows.count, bytes, Double(r.rows.count) / (t3 - t2)))
}
}
await conn.close()
