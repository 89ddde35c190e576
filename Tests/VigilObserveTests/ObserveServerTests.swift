import Foundation
import HummingbirdWSClient
import Logging
import Testing
import VigilHTTP
import VigilObserve
import VigilTestSupport

/// The surfaces on three real loopback ports, as the operator mounts them: metrics, probes,
/// status + WebSocket + dashboard; and the WebSocket's slow-client and cap rules over real
/// sockets.
@Suite(.serialized)
struct ObserveServerTests {
    let logger = Logger(label: "observe-test")

    func start(maxClients: Int = 10, buffer: Int = 8) async throws -> (ObserveServer, ObserveSources, [Int]) {
        let ports = TestPorts.free(3)
        let broadcaster = StatusBroadcaster(configuration: .init(maxClients: maxClients, bufferPerClient: buffer))
        let sources = ObserveSources(metrics: ControllerMetrics(), readiness: Readiness(), broadcaster: broadcaster,
                                     status: { Array(#"{"groups":[]}"#.utf8) })
        let server = try await ObserveServer.start(
            ObserveServer.Listener.threePorts(metrics: ports[0], probes: ports[1], status: ports[2]), sources: sources, logger: logger)
        return (server, sources, ports)
    }

    func get(_ port: Int, _ path: String, headers: [(String, String)] = []) async throws -> HTTPResponse {
        try await HTTPClient.request(url: "http://127.0.0.1:\(port)\(path)", headers: headers)
    }

    @Test func eachPortServesItsSurfaceOnly() async throws {
        let (server, sources, ports) = try await start()
        defer { Task { await server.stop() } }
        sources.metrics.setInstances(group: "g", [("primary", true), ("replica", true), ("replica", false)])
        sources.metrics.failover(group: "g", reason: "deathProven", outcome: "completed", duration: .milliseconds(240),
                                 steps: [("isolating", .milliseconds(20)), ("promoting", .milliseconds(15))])
        sources.metrics.probe(group: "g", instance: "db0", duration: .milliseconds(3), ok: false)
        sources.metrics.reconcile(group: "g", duration: .milliseconds(4), sincePrevious: .milliseconds(1002))
        sources.metrics.cooldown(group: "g", remaining: .seconds(299), elapsed: .seconds(1))
        sources.metrics.setReplicationLag(group: "g", instance: "db1", seconds: 2)
        sources.metrics.fenceEvent(group: "g", instance: "db0", kind: "fence", succeeded: true)
        sources.metrics.setRouterConnections(group: "g", port: "read-write", byTarget: ["db0": 4], targets: ["db0", "db1"])

        // :metrics
        let metrics = try await get(ports[0], "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
        let samples = try PrometheusText.parse(metrics.text)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { sample in sample.name == name && labels.allSatisfy { k, v in sample.labels[k] == v } }?.value
        }
        #expect(value("vigil_instances", ["role": "replica", "health": "unhealthy"]) == 1)
        #expect(value("vigil_instances", ["role": "primary", "health": "healthy"]) == 1)
        #expect(value("vigil_failovers_total", ["reason": "deathProven", "outcome": "completed"]) == 1)
        #expect(value("vigil_failover_step_duration_seconds_count", ["step": "promoting"]) == 1)
        #expect(value("vigil_probe_errors_total", ["instance": "db0"]) == 1)
        #expect(value("vigil_cooldown_remaining_seconds") == 299)
        #expect(value("vigil_replication_lag_seconds", ["instance": "db1"]) == 2)
        #expect(value("vigil_fence_events_total", ["instance": "db0"]) == 1)
        #expect(value("vigil_router_connections", ["target": "db0"]) == 4)
        #expect(value("vigil_reconcile_total") == 1)
        #expect(value("vigil_status_clients") == 0)
        #expect(try await get(ports[0], "/status").status == 404)

        // :probes — not ready until leading and synced
        #expect(try await get(ports[1], "/healthz").status == 200)
        let notReady = try await get(ports[1], "/readyz")
        #expect(notReady.status == 503)
        #expect(notReady.text.contains("not leading"))
        sources.readiness.setLeading(true)
        #expect(try await get(ports[1], "/readyz").text.contains("caches not synced"))
        sources.readiness.setSynced(true)
        #expect(try await get(ports[1], "/readyz").status == 200)
        #expect(try await get(ports[1], "/metrics").status == 404)

        // :status
        let status = try await get(ports[2], "/status")
        #expect(status.status == 200)
        #expect(try JSONSerialization.jsonObject(with: Data(status.body)) is [String: Any])
        let page = try await get(ports[2], "/")
        #expect(page.status == 200)
        #expect(page.text.contains("<script>") && !page.text.contains("src=\"http"))
        #expect(try await get(ports[2], "/ws/status").status == 426)
        #expect(try await get(ports[2], "/healthz").status == 404)
    }

    @Test func aWebSocketClientGetsTheSnapshotThenEveryChange() async throws {
        let (server, sources, ports) = try await start()
        defer { Task { await server.stop() } }
        sources.broadcaster.publish("s0")
        let seen = Messages()
        let client = Task {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(ports[2])/ws/status", logger: logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    seen.append(text)
                    if text == "s3" { return }
                }
            }
        }
        try await eventually { seen.all == ["s0"] }
        for i in 1...3 {
            sources.broadcaster.publish("s\(i)")
            try await eventually { seen.all.last == "s\(i)" }
        }
        _ = try await client.value
        #expect(seen.all == ["s0", "s1", "s2", "s3"])
    }

    @Test func aClientThatNeverReadsIsDroppedWhileAReaderKeepsReceiving() async throws {
        let (server, sources, ports) = try await start(buffer: 4)
        defer { Task { await server.stop() } }
        sources.broadcaster.publish("start")
        let stalled = try StalledWebSocket(port: ports[2], path: "/ws/status")
        defer { stalled.close() }
        try await eventually { sources.broadcaster.stats.clients == 1 }
        let seen = Messages()
        let reader = Task {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(ports[2])/ws/status", logger: logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .text(let text) = message else { continue }
                    seen.append(text)
                    if text.hasPrefix("end") { return }
                }
            }
        }
        try await eventually { sources.broadcaster.stats.clients == 2 && seen.count >= 1 }
        // Big messages fill the stalled client's socket buffers, then its queue: it is dropped.
        let padding = String(repeating: "x", count: 16 * 1024)
        var i = 0
        while sources.broadcaster.stats.dropped == 0 && i < 2000 {
            i += 1
            sources.broadcaster.publish("m\(i) \(padding)")
            let want = i
            try await eventually { seen.all.contains { $0.hasPrefix("m\(want) ") } }
        }
        #expect(sources.broadcaster.stats.dropped == 1, "the stalled client was never dropped")
        sources.broadcaster.publish("end")
        _ = try await reader.value
        #expect(seen.all.last == "end")
        #expect(sources.broadcaster.stats.clients == 0 || sources.broadcaster.stats.clients == 1)
    }

    @Test func aClientOverTheCapIsClosedWithTryAgainLater() async throws {
        let (server, sources, ports) = try await start(maxClients: 2)
        defer { Task { await server.stop() } }
        sources.broadcaster.publish("s")
        let a = try StalledWebSocket(port: ports[2], path: "/ws/status")
        let b = try StalledWebSocket(port: ports[2], path: "/ws/status")
        defer { a.close(); b.close() }
        try await eventually { sources.broadcaster.stats.clients == 2 }
        let third = try StalledWebSocket(port: ports[2], path: "/ws/status")
        defer { third.close() }
        let refused = third.readSome()
        #expect(refused.hasPrefix("HTTP/1.1 101"), "\(refused)")
        // Then a close frame (code 1013, try again later) with the reason.
        #expect(refused.contains("too many status clients (cap 2)"), "\(refused)")
        try await eventually { sources.broadcaster.stats.clients == 2 }
        #expect(sources.broadcaster.stats.refused == 1)
    }

    func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("timed out")
        throw CancellationError()
    }
}

/// Messages a client received (shared with its handler).
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
    var count: Int { lock.withLock { items.count } }
}
