import Foundation
import Logging
import Testing
import VigilHTTP
import VigilKube
import VigilKubeFake
import VigilKubelet
import VigilMySQL
import VigilObserve
import VigilOperator
import VigilPOSIX
import VigilTestSupport

/// The operator end to end: the fake API server, the test kubelet running every pod as real
/// `mariadbd` and `vigil agent` processes, and the operator with its HTTP surfaces. Apply a
/// MySQLCluster, see everything appear, kill -9 the primary's mysqld, and watch labels,
/// Service endpoints and the DNS record move; restart the operator (no spurious failover);
/// switch back with the kubectl plugin; fail a site's node (tainted) and recover it (untainted).
@Suite(.serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct OperatorFailoverTests {
    static let namespace = "default"

    @Test func killPrimaryMovesLabelsEndpointsAndDNS() async throws {
        try await FakeKubeServer.withClient { server, client in
            try await withTestKubelet(client: client, nodes: [.zone("node-a", "zone-a"), .zone("node-b", "zone-b")]) { kubelet in
                let port = try OperatorHarness.freePort()
                var harness = try await OperatorHarness.start(client: client, port: port, identity: "op-1")
                defer { Task { [harness] in await harness.stop() } }

                let spec = MySQLClusterSpec(
                    sites: [.init(name: "a", instances: 2, placement: .init(nodeSelector: ["topology.kubernetes.io/zone": "zone-a"])),
                            .init(name: "b", role: "dr-only", priority: 5, instances: 1,
                                  placement: .init(nodeSelector: ["topology.kubernetes.io/zone": "zone-b"]))],
                    failover: .init(cooldownSeconds: 5), dns: .init(hostname: "shop.example.com"))
                _ = try await client.create(MySQLCluster(metadata: ObjectMeta(name: "shop", namespace: Self.namespace), spec: spec))

                // 1. Everything appears and the group runs.
                let running = try await eventually("the cluster runs with 3/3 ready", timeout: .seconds(240)) {
                    let c = try await client.get(MySQLCluster.self, name: "shop", namespace: Self.namespace)
                    return c.status?.phase == "Running" && c.status?.ready == "3/3" ? c : nil
                }
                let first = try #require(running.status?.primary)
                #expect(first == "shop-a-0", "the initial primary is the first instance of the preferred site")
                #expect(try await client.listAll(Deployment.self, namespace: Self.namespace).items.count == 3)
                #expect(try await client.listAll(PersistentVolumeClaim.self, namespace: Self.namespace).items.count == 3)
                #expect(try await client.listAll(Secret.self, namespace: Self.namespace).items.contains { $0.name == "shop-account-vigil-admin" })
                let firstPod = try await pod(of: first, client)
                let firstIP = try #require(firstPod.status?.podIP)
                try await expectTraffic(on: first, ip: firstIP, client)

                // A write acknowledged by the primary before it dies.
                let app = try await appPassword(client)
                let conn = try await MySQLConnection.connect(appConfig(ip: firstIP, password: app))
                try await conn.query("CREATE TABLE IF NOT EXISTS t (k INT PRIMARY KEY)")
                try await conn.query("INSERT INTO t VALUES (42)")
                await conn.close()

                // 2. kill -9 of the primary's mysqld: labels, endpoints and DNS move.
                let killedAt = ContinuousClock.now
                #expect(kubelet.kill(pod: firstPod.name, container: "mysql", signal: SIGKILL))
                let after = try await eventually("a new primary", timeout: .seconds(90)) {
                    let c = try await client.get(MySQLCluster.self, name: "shop", namespace: Self.namespace)
                    guard let p = c.status?.primary, p != first, c.status?.instances?.first(where: { $0.name == p })?.role == "primary"
                    else { return nil as MySQLCluster? }
                    return c
                }
                let second = try #require(after.status?.primary)
                #expect(second == "shop-a-1", "the other primary candidate, not the dr-only site")
                let secondIP = try #require(try await pod(of: second, client).status?.podIP)
                try await expectTraffic(on: second, ip: secondIP, client)
                let moved = ContinuousClock.now - killedAt
                print("operator e2e: kill -9 → labels, endpoints and DNS on \(second) in \(moved)")
                let recorded = try await eventually("the failover recorded in status", timeout: .seconds(30)) {
                    try await client.get(MySQLCluster.self, name: "shop", namespace: Self.namespace).status?.lastFailover
                }
                #expect(recorded.from == first)
                #expect(recorded.to == second)
                let old = try await pod(of: first, client)
                #expect(old.metadata.labels?["vigil.dev/role"] != "primary")
                let check = try await MySQLConnection.connect(appConfig(ip: secondIP, password: app))
                let rows = try await check.query("SELECT k FROM t").rows.count
                await check.close()
                #expect(rows == 1, "the acknowledged write survived the failover")
                let events = try await client.listAll(Event.self, namespace: Self.namespace).items
                #expect(events.contains { $0.reason == "FailoverCompleted" })
                let metrics = try await HTTPClient.request(method: "GET", url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(5))
                let text = String(decoding: metrics.body, as: UTF8.self)
                #expect(text.contains("vigil_failovers_total{group=\"default/shop\""), "failover counted in /metrics")
                let ready = try await HTTPClient.request(method: "GET", url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(5))
                #expect(ready.status == 200)

                // 3. A restarted operator resumes from status: no spurious failover.
                let term = try #require(after.status?.controller?.term)
                await harness.stop()
                harness = try await OperatorHarness.start(client: client, port: port, identity: "op-2")
                try await Task.sleep(for: .seconds(8))  // absence of a failover: several probe rounds
                let resumed = try await client.get(MySQLCluster.self, name: "shop", namespace: Self.namespace)
                #expect(resumed.status?.primary == second)
                #expect(resumed.status?.controller?.term == term, "the new operator did not fail over")
                let lease = try await client.get(Lease.self, name: "vigil-operator", namespace: "vigil-system")
                #expect(lease.spec?.holderIdentity == "op-2")

                // 4. Switch back with the kubectl plugin (the 5 s cooldown is over).
                let kubeconfig = try OperatorHarness.kubeconfig(server: server.url)
                let out = try await VigilBinary.run(["kubectl", "switchover", "shop", "--to", first, "--kubeconfig", kubeconfig,
                                                     "--timeout", "90"])
                #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
                let back = try await eventually("traffic back on \(first)", timeout: .seconds(60)) {
                    let c = try await client.get(MySQLCluster.self, name: "shop", namespace: Self.namespace)
                    return c.status?.primary == first ? c : nil
                }
                #expect(back.status?.switchover?.state == "Succeeded")
                let firstIPAgain = try #require(try await pod(of: first, client).status?.podIP)
                try await expectTraffic(on: first, ip: firstIPAgain, client)
                let status = try await VigilBinary.run(["kubectl", "status", "shop", "--kubeconfig", kubeconfig])
                #expect(status.status == 0)
                #expect(status.stdout.contains("shop          shop-a-0") || status.stdout.contains("shop-a-0  "), "\(status.stdout)")
                #expect(status.stdout.contains("switchover to shop-a-0: Succeeded"), "\(status.stdout)")

                // 5. Site b's only node fails: its node is tainted; it recovers: the taint goes.
                try await kubelet.failNode("node-b")
                _ = try await eventually("node-b tainted", timeout: .seconds(30)) {
                    let node = try await client.get(Node.self, name: "node-b")
                    return node.spec?.taints?.contains { $0.key == "vigil.dev/db-readonly-shop" && $0.effect == "NoExecute" } == true ? true : nil
                }
                #expect(try await client.get(Node.self, name: "node-a").spec?.taints?.contains { $0.key.hasPrefix("vigil.dev/") } != true)
                try await kubelet.recoverNode("node-b")
                _ = try await eventually("node-b untainted", timeout: .seconds(60)) {
                    let node = try await client.get(Node.self, name: "node-b")
                    return node.spec?.taints?.contains { $0.key == "vigil.dev/db-readonly-shop" } == true ? nil : true
                }
                await harness.stop()
            }
        }
    }

    /// The `-primary` Service's endpoints, the pod's role label and the DNS record all name `instance`.
    func expectTraffic(on instance: String, ip: String, _ client: KubeClient) async throws {
        _ = try await eventually("traffic on \(instance) (\(ip))", timeout: .seconds(30)) {
            let endpoints = try await client.getIfPresent(Endpoints.self, name: "shop-primary", namespace: Self.namespace)
            let addresses = endpoints?.subsets?.flatMap { $0.addresses ?? [] }.map(\.ip) ?? []
            let dns = try await client.getIfPresent(DNSEndpoint.self, name: "shop-primary", namespace: Self.namespace)
            let targets = dns?.spec?.endpoints?.first?.targets ?? []
            let label = try await pod(of: instance, client).metadata.labels?["vigil.dev/role"]
            return addresses == [ip] && targets == [ip] && label == "primary" ? true : nil
        }
    }

    func pod(of instance: String, _ client: KubeClient) async throws -> Pod {
        let pods = try await client.listAll(Pod.self, namespace: Self.namespace, labelSelector: "vigil.dev/instance=\(instance)").items
        return try #require(pods.first { $0.metadata.deletionTimestamp == nil })
    }

    func appPassword(_ client: KubeClient) async throws -> String {
        let secret = try await client.get(Secret.self, name: "shop-account-app", namespace: Self.namespace)
        return String(decoding: try #require(secret.data?["password"]), as: UTF8.self)
    }

    func appConfig(ip: String, password: String) -> MySQLConfiguration {
        MySQLConfiguration(endpoint: .tcp(host: ip, port: 3306), user: "app", password: password, database: "app", tls: .disable,
                           connectTimeout: .seconds(5), queryTimeout: .seconds(30))
    }

    /// Polls `body` until it returns a value or `timeout` passes (then the test fails).
    func eventually<T>(_ what: String, timeout: Duration, _ body: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if let value = try await body() { return value }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out after \(timeout) waiting for \(what)\(lastError.map { " (last error: \($0))" } ?? "")")
        throw CancellationError()
    }
}

/// One operator process's worth: the Operator (with leader election) and its HTTP surfaces on
/// one loopback port, which the agents' controller URL names.
struct OperatorHarness: Sendable {
    let op: Operator
    let server: OperatorServer
    let task: Task<Void, any Error>

    static func start(client: KubeClient, port: Int, identity: String) async throws -> OperatorHarness {
        var logger = Logger(label: "test.operator.\(identity)")
        logger.logLevel = ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"] == nil ? .warning : .info
        let options = OperatorOptions(agentImage: "vigil:test", controllerURL: "http://127.0.0.1:\(port)/clusters/{namespace}/{cluster}",
                                      addressing: .podIP, identity: identity)
        let election = LeaderElection(client: client, namespace: "vigil-system", identity: identity, leaseDuration: .seconds(4),
                                      renewDeadline: .seconds(3), retryPeriod: .milliseconds(500), logger: logger)
        let op = Operator(client: client, options: options, namespace: "default", election: election, logger: logger)
        await op.setResyncInterval(.seconds(1))
        // The agents' controller URL names this port: a restarted operator takes it over once
        // the previous one's listener is gone.
        var server: OperatorServer?
        let deadline = ContinuousClock.now + .seconds(20)
        while server == nil {
            do {
                server = try await OperatorServer.start(
                    listeners: [ObserveServer.Listener(host: "127.0.0.1", port: port, surfaces: Set(ObserveSurface.allCases))],
                    operator: op, observability: op.observability, logger: logger)
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        guard let server else { throw OperatorError("no server") }
        let task = Task { try await op.run() }
        return OperatorHarness(op: op, server: server, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await server.stop()
    }

    static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20000...29000)
            if LoopbackPort.isFree(port) { return port }
        }
        throw OperatorError("no free port")
    }

    /// A kubeconfig for the fake (plain HTTP), for the kubectl plugin.
    static func kubeconfig(server: String) throws -> String {
        let path = NSTemporaryDirectory() + "vigil-kubeconfig-\(UUID().uuidString.prefix(6))"
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster: {server: "\(server)"}
        users:
        - name: tester
          user: {}
        contexts:
        - name: fake
          context: {cluster: fake, user: tester, namespace: default}
        current-context: fake
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
