import Foundation
import HummingbirdWSClient
import Logging
import Testing
import VigilHTTP
import VigilLocal
import VigilTestSupport

/// The local controller's observability surfaces end to end: a real group, the real binary,
/// `controller.urls` from `status --json`, a WebSocket client watching a kill -9 failover, and
/// the dashboard rendered by headless Chromium.
@Suite(.serialized, .enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct LocalObserveTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-observe-\(UUID().uuidString.prefix(8))").path

    func up(base: Int) async throws {
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        try #require(up.status == 0, "\(up.stderr)")
    }

    func controllerURLs() async throws -> [String: String] {
        let controller = try #require(try await status()["controller"] as? [String: Any])
        return try #require(controller["urls"] as? [String: String])
    }

    func primaryPID() async throws -> (String, Int32) {
        let s = try await status()
        let primary = try #require(s["primary"] as? String)
        let entry = try #require((s["instances"] as? [[String: Any]])?.first { $0["name"] as? String == primary })
        return (primary, try #require((entry["pid"] as? Int).map(Int32.init)))
    }

    func newPrimary(otherThan old: String) async throws -> String {
        var found: String?
        try await eventually("a new primary other than \(old)", timeout: .seconds(60)) {
            found = try await status()["primary"] as? String
            return found != nil && found != old
        }
        return try #require(found)
    }

    func metrics(_ url: String) async throws -> [PrometheusText.Sample] {
        let response = try await HTTPClient.request(url: url)
        #expect(response.status == 200)
        return try PrometheusText.parse(response.text)
    }

    @Test func endpointsAndAWebSocketClientSeeTheFailoverAsItHappens() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        try await up(base: base)
        let urls = try await controllerURLs()
        let controller = "http://127.0.0.1:\(base + 2)"
        #expect(urls["metrics"] == controller + "/metrics")
        #expect(urls["healthz"] == controller + "/healthz")
        #expect(urls["status"] == controller + "/status")
        #expect(urls["dashboard"] == controller + "/")
        #expect(urls["readyz"] == controller + "/readyz")
        #expect(urls["statusWebSocket"] == "ws://127.0.0.1:\(base + 2)/ws/status")

        #expect(try await HTTPClient.request(url: try #require(urls["healthz"])).status == 200)
        let ready = try await HTTPClient.request(url: try #require(urls["readyz"]))
        #expect(ready.status == 200, "\(ready.text)")
        let statusBody = try await HTTPClient.request(url: try #require(urls["status"]))
        let statusJSON = try #require(try JSONSerialization.jsonObject(with: Data(statusBody.body)) as? [String: Any])
        #expect(statusJSON["primary"] as? String == "db0")
        let page = try await HTTPClient.request(url: try #require(urls["dashboard"]))
        #expect(page.status == 200 && page.text.contains("ws/status"))

        let before = try await metrics(try #require(urls["metrics"]))
        #expect(before.contains { $0.name == "vigil_instances" && $0.labels["role"] == "primary" && $0.labels["health"] == "healthy" && $0.value == 1 })
        #expect(before.contains { $0.name == "vigil_probe_duration_seconds_count" && $0.value > 0 })
        #expect(before.contains { $0.name == "vigil_reconcile_total" && $0.value > 0 })
        #expect(!before.contains { $0.name == "vigil_failovers_total" && $0.value > 0 })

        // A WebSocket client from before the kill to after the new primary is shown.
        let seen = Snapshots()
        let client = Task {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(base + 2)/ws/status", logger: Logger(label: "ws-test")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .text(let text) = message else { continue }
                    seen.append(text)
                }
            }
        }
        defer { client.cancel() }
        try await eventually("the WebSocket snapshot on connect") { seen.primaries.first == "db0" }
        let (old, pid) = try await primaryPID()
        kill(pid, SIGKILL)
        let primary = try await newPrimary(otherThan: old)
        try await eventually("the WebSocket shows \(primary) as primary") { seen.primaries.last == primary }
        // It saw the failover as it happened: the old primary, then a message with no writable
        // primary or a running failover, then the new one.
        #expect(seen.sawRunningFailover, "no snapshot showed the failover in progress")
        try await eventually("the completed failover's timeline with its steps") {
            guard let op = seen.lastOperation else { return false }
            return op["kind"] as? String == "failover" && op["outcome"] as? String == "completed"
                && ((op["phases"] as? [Any])?.isEmpty == false) && ((op["actions"] as? [Any])?.isEmpty == false)
        }
        #expect(seen.lastEvents.contains { $0["kind"] as? String == "failover" })

        let after = try await metrics(try #require(urls["metrics"]))
        let failovers = after.filter { $0.name == "vigil_failovers_total" }.map(\.value).reduce(0, +)
        #expect(failovers == 1)
        #expect(after.contains { $0.name == "vigil_failover_step_duration_seconds_count" && $0.value >= 1 })
        #expect(after.contains { $0.name == "vigil_actions_total" && $0.labels["action"] == "promote" && $0.labels["outcome"] == "succeeded" && $0.value >= 1 })
        #expect(after.contains { $0.name == "vigil_cooldown_remaining_seconds" && $0.value > 0 })
        #expect(after.contains { $0.name == "vigil_status_clients" && $0.value >= 1 })
        let term = after.first { $0.name == "vigil_term" }?.value ?? 0
        #expect(term >= 2)
    }

    @Test func theDashboardInHeadlessChromiumShowsTheNewPrimaryAfterAKill() async throws {
        guard Chromium.path != nil else {
            if Chromium.required {
                Issue.record("chromium not found: apt-get install chromium (scripts/lib/ensure-deps.sh installs it); VIGIL_REQUIRE_MARIADB=1 makes this a failure")
            }
            return
        }
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        try await up(base: base)
        let url = "http://127.0.0.1:\(base + 2)/"
        let (old, pid) = try await primaryPID()
        let first = try await Chromium.dumpDOM(url)
        #expect(Self.shownPrimary(first) == old, "the dashboard did not show \(old) as primary:\n\(first.prefix(2000))")
        #expect(first.contains("data-instance=\"db1\""))

        kill(pid, SIGKILL)
        let primary = try await newPrimary(otherThan: old)
        // Status already names the new primary; the page must too.
        var dom = ""
        try await eventually("the rendered dashboard shows \(primary)", timeout: .seconds(60)) {
            dom = try await Chromium.dumpDOM(url)
            return Self.shownPrimary(dom) == primary
        }
        #expect(dom.contains("data-instance=\"\(primary)\" data-role=\"primary\""))
        #expect(dom.contains("failover"))
        let shot = Chromium.artifactPath("dashboard-after-failover.png")
        try await Chromium.screenshot(url, to: shot)
        print("dashboard screenshot: \(shot)")
        #expect(FileManager.default.fileExists(atPath: shot))
    }

    /// The text of `<… id="primary" …>name<`.
    static func shownPrimary(_ dom: String) -> String? {
        guard let id = dom.range(of: "id=\"primary\"") else { return nil }
        guard let close = dom[id.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = dom[dom.index(after: close)...]
        guard let end = rest.firstIndex(of: "<") else { return nil }
        return String(rest[..<end])
    }
}

/// What the WebSocket client received, decoded.
final class Snapshots: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [[String: Any]] = []

    func append(_ text: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
        lock.withLock { messages.append(object) }
    }

    private var groups: [[String: Any]] {
        lock.withLock { messages.compactMap { ($0["groups"] as? [[String: Any]])?.first } }
    }

    /// Each message's primary ("-" when none).
    var primaries: [String] {
        groups.map { (($0["status"] as? [String: Any])?["primary"] as? String) ?? "-" }
    }

    var sawRunningFailover: Bool {
        groups.contains { g in
            let op = g["operation"] as? [String: Any]
            let noPrimary = (g["status"] as? [String: Any])?["primary"] as? String == nil
            return (op?["kind"] as? String == "failover" && op?["outcome"] as? String == "running") || noPrimary
        }
    }

    var lastOperation: [String: Any]? { groups.last?["operation"] as? [String: Any] }
    var lastEvents: [[String: Any]] { (groups.last?["events"] as? [[String: Any]]) ?? [] }
}
