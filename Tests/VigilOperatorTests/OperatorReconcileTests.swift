import Foundation
import Logging
import Testing
import VigilKube
import VigilKubeFake
@testable import VigilOperator

/// The reconciler against the fake API server, without pods (no kubelet): what gets created,
/// what an invalid spec does (nothing), and what deletion cleans up.
@Suite(.serialized) struct OperatorReconcileTests {
    static let options = OperatorOptions(agentImage: "example/vigil:test", controllerURL: "http://127.0.0.1:9/clusters/{namespace}/{cluster}",
                                         addressing: .podIP, identity: "test")

    static func withOperator(_ body: (FakeKubeServer, KubeClient) async throws -> Void) async throws {
        try await FakeKubeServer.withClient { server, client in
            var logger = Logger(label: "test.operator")
            logger.logLevel = ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"] == nil ? .warning : .debug
            let op = Operator(client: client, options: options, namespace: "default", election: nil, logger: logger)
            await op.setResyncInterval(.milliseconds(200))
            let task = Task { try await op.run() }
            defer { task.cancel() }
            try await body(server, client)
            task.cancel()
            _ = try? await task.value
        }
    }

    static func eventually(within timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    static func cluster(_ name: String, _ spec: MySQLClusterSpec) -> MySQLCluster {
        MySQLCluster(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec)
    }

    @Test func invalidSpecIsReportedAndCreatesNothing() async throws {
        try await Self.withOperator { _, client in
            _ = try await client.create(Self.cluster("dronly", MySQLClusterSpec(sites: [.init(name: "dr", role: "dr-only", instances: 2)])))
            var seen: MySQLCluster?
            let reported = try await Self.eventually {
                seen = try await client.get(MySQLCluster.self, name: "dronly", namespace: "default")
                return seen?.status?.phase == "Invalid"
            }
            #expect(reported, "\(String(describing: seen))")
            let degraded = seen?.status?.conditions?.first { $0.type == "Degraded" }
            #expect(degraded?.status == "True")
            #expect(degraded?.reason == "InvalidSpec")
            #expect(degraded?.message?.contains("no site has role primary-candidate") == true)
            let events = try await client.listAll(Event.self, namespace: "default")
            #expect(events.items.filter { $0.reason == "InvalidSpec" && $0.type == "Warning" }.count == 1)
            // Resyncs of an unchanged cluster write nothing (no status write loop).
            let version = try await client.get(MySQLCluster.self, name: "dronly", namespace: "default").metadata.resourceVersion
            try await Task.sleep(for: .seconds(1))  // absence of writes: five resync rounds
            #expect(try await client.get(MySQLCluster.self, name: "dronly", namespace: "default").metadata.resourceVersion == version)
            // Nothing was created for it.
            #expect(try await client.listAll(Deployment.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(Secret.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(Service.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(PersistentVolumeClaim.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(ConfigMap.self, namespace: "default").items.isEmpty)
        }
    }

    /// The four invalid specs the CRD schema would reject, as they would look if one slipped
    /// past it (an API server without the schema, an old CRD): reported, nothing created.
    @Test(arguments: [
        ("nosites", MySQLClusterSpec(sites: []), "spec.sites must name at least one site"),
        ("dupes", MySQLClusterSpec(sites: [.init(name: "a"), .init(name: "a")]), "used by two sites"),
        ("flavor", MySQLClusterSpec(engine: .init(flavor: "postgres"), sites: [.init(name: "a", instances: 2)]), "flavor 'postgres' is unknown"),
        ("dronly", MySQLClusterSpec(sites: [.init(name: "dr", role: "dr-only", instances: 2)]), "no site has role primary-candidate"),
    ])
    func everyInvalidSpecIsReportedAndCreatesNothing(name: String, spec: MySQLClusterSpec, message: String) async throws {
        try await Self.withOperator { _, client in
            _ = try await client.create(Self.cluster(name, spec))
            let reported = try await Self.eventually {
                let c = try await client.get(MySQLCluster.self, name: name, namespace: "default")
                return c.status?.phase == "Invalid"
                    && c.status?.conditions?.contains { $0.type == "Degraded" && $0.message?.contains(message) == true } == true
            }
            #expect(reported, "\(name): no Invalid phase with “\(message)”")
            #expect(try await client.listAll(Deployment.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(Secret.self, namespace: "default").items.isEmpty)
            #expect(try await client.listAll(PersistentVolumeClaim.self, namespace: "default").items.isEmpty)
        }
    }

    @Test func validSpecCreatesOwnedObjectsAndDeletionCleansUp() async throws {
        try await Self.withOperator { _, client in
            // A node carrying this cluster's taint from an earlier site failure.
            _ = try await client.create(Node(metadata: ObjectMeta(name: "node-a"), spec: NodeSpec(taints: [
                Taint(key: "vigil.dev/db-readonly-shop", value: "true", effect: "NoExecute"),
                Taint(key: "other", value: "x", effect: "NoSchedule"),
            ])))
            let spec = MySQLClusterSpec(sites: [.init(name: "a", instances: 2), .init(name: "b", role: "dr-only")],
                                        dns: .init(hostname: "shop.example.com"))
            let created = try await client.create(Self.cluster("shop", spec))
            let provisioned = try await Self.eventually {
                try await client.listAll(Deployment.self, namespace: "default").items.count == 3
            }
            #expect(provisioned)
            let deployments = try await client.listAll(Deployment.self, namespace: "default").items
            #expect(Set(deployments.map(\.name)) == ["shop-a-0", "shop-a-1", "shop-b-0"])
            #expect(deployments.allSatisfy { $0.metadata.ownerReferences?.first?.uid == created.metadata.uid })
            #expect(try await client.listAll(PersistentVolumeClaim.self, namespace: "default").items.count == 3)
            #expect(Set(try await client.listAll(Service.self, namespace: "default").items.map(\.name))
                    == ["shop-primary", "shop-replicas", "shop-headless"])
            let secrets = try await client.listAll(Secret.self, namespace: "default").items
            #expect(secrets.contains { $0.name == "shop-account-vigil-admin" })
            #expect(secrets.contains { $0.name == "shop-agent" })
            #expect(try await client.getIfPresent(PodDisruptionBudget.self, name: "shop-pdb", namespace: "default") != nil)
            let cluster = try await client.get(MySQLCluster.self, name: "shop", namespace: "default")
            #expect(cluster.metadata.finalizers == [KubeNames.finalizer])
            let waiting = try await Self.eventually {
                let c = try await client.get(MySQLCluster.self, name: "shop", namespace: "default")
                return c.status?.phase == "Provisioning"
                    && c.status?.conditions?.contains { $0.type == "Progressing" && $0.message?.contains("waiting for pods") == true } == true
            }
            #expect(waiting)

            // Passwords are generated once: a second reconcile keeps them.
            let password = secrets.first { $0.name == "shop-account-app" }?.data?["password"]
            try await Task.sleep(for: .milliseconds(600))
            let again = try await client.get(Secret.self, name: "shop-account-app", namespace: "default")
            #expect(again.data?["password"] == password)

            _ = try await client.delete(MySQLCluster.self, name: "shop", namespace: "default")
            let gone = try await Self.eventually {
                try await client.getIfPresent(MySQLCluster.self, name: "shop", namespace: "default") == nil
            }
            #expect(gone, "the finalizer was not removed")
            let collected = try await Self.eventually {
                let deployments = try await client.listAll(Deployment.self, namespace: "default").items
                let secrets = try await client.listAll(Secret.self, namespace: "default").items
                return deployments.isEmpty && secrets.isEmpty
            }
            #expect(collected, "owned objects were not garbage-collected")
            let node = try await client.get(Node.self, name: "node-a")
            #expect(node.spec?.taints?.map(\.key) == ["other"])
        }
    }

    @Test func oneLeaderAtATime() async throws {
        try await FakeKubeServer.withClient { _, client in
            let logger = Logger(label: "test.election")
            let a = LeaderElection(client: client, namespace: "vigil-system", identity: "a", leaseDuration: .seconds(1), logger: logger)
            let b = LeaderElection(client: client, namespace: "vigil-system", identity: "b", leaseDuration: .seconds(1), logger: logger)
            #expect(await a.tryAcquireOrRenew())
            #expect(await !b.tryAcquireOrRenew())
            #expect(await a.tryAcquireOrRenew())  // renewal
            // a stops renewing: b takes over only after the lease ran out.
            #expect(await !b.tryAcquireOrRenew(now: Date().addingTimeInterval(0.5)))
            #expect(await b.tryAcquireOrRenew(now: Date().addingTimeInterval(1.5)))
            let lease = try await client.get(Lease.self, name: "vigil-operator", namespace: "vigil-system")
            #expect(lease.spec?.holderIdentity == "b")
            #expect(lease.spec?.leaseTransitions == 1)
            #expect(await !a.tryAcquireOrRenew(now: Date().addingTimeInterval(1.6)))
            // Release hands over at once.
            await b.release()
            #expect(await a.tryAcquireOrRenew())
        }
    }
}
