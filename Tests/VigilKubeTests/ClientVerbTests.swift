import Foundation
import Testing
import VigilKube
import VigilKubeFake

@Suite("Client verbs against the fake server")
struct ClientVerbTests {
    @Test func createGetListUpdateDelete() async throws {
        try await withFake { server, client in
            let created = try await client.create(configMap("app", labels: ["a": "1"], data: ["k": "v"]))
            #expect(created.metadata.namespace == "default")
            #expect(created.metadata.uid?.isEmpty == false)
            #expect(created.metadata.creationTimestamp != nil)
            let firstVersion = try #require(created.metadata.resourceVersion)

            let read = try await client.get(ConfigMap.self, name: "app")
            #expect(read.data == ["k": "v"])
            #expect(read.metadata.uid == created.metadata.uid)

            var changed = read
            changed.data = ["k": "w"]
            let updated = try await client.update(changed)
            #expect(updated.data == ["k": "w"])
            #expect(Int(updated.metadata.resourceVersion!)! > Int(firstVersion)!)

            let list = try await client.list(ConfigMap.self)
            #expect(list.items.map(\.name) == ["app"])
            #expect(list.metadata.resourceVersion == server.resourceVersion)

            #expect(try await client.delete(ConfigMap.self, name: "app"))
            #expect(try await client.delete(ConfigMap.self, name: "app") == false)
            #expect(try await client.getIfPresent(ConfigMap.self, name: "app") == nil)
        }
    }

    @Test func notFoundAndAlreadyExistsCarryTheStatus() async throws {
        try await withFake { _, client in
            let missing = await #expect(throws: KubeError.self) { try await client.get(Pod.self, name: "ghost") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.httpStatus == 404)
            #expect(missing?.reason == "NotFound")
            #expect(missing?.message == "pods \"ghost\" not found")

            _ = try await client.create(configMap("dup"))
            let duplicate = await #expect(throws: KubeError.self) { try await client.create(configMap("dup")) }
            #expect(duplicate?.kind == .alreadyExists)
            #expect(duplicate?.description.contains("configmaps \"dup\" already exists") == true)

            let invalid = await #expect(throws: KubeError.self) { try await client.create(configMap("Bad_Name")) }
            #expect(invalid?.kind == .invalid)
            #expect(invalid?.httpStatus == 422)
        }
    }

    @Test func staleUpdateIsAConflictAndUnconditionalUpdateIsNot() async throws {
        try await withFake { _, client in
            let original = try await client.create(configMap("cm", data: ["n": "0"]))
            var first = original
            first.data = ["n": "1"]
            _ = try await client.update(first)

            var stale = original
            stale.data = ["n": "2"]
            let conflict = await #expect(throws: KubeError.self) { try await client.update(stale) }
            #expect(conflict?.isConflict == true)
            #expect(conflict?.httpStatus == 409)
            #expect(conflict?.message.contains("the object has been modified") == true)
            #expect(try await client.get(ConfigMap.self, name: "cm").data == ["n": "1"])

            var unconditional = stale
            unconditional.metadata.resourceVersion = nil
            #expect(try await client.update(unconditional).data == ["n": "2"])
        }
    }

    @Test func noOpUpdateKeepsTheResourceVersion() async throws {
        try await withFake { _, client in
            let created = try await client.create(configMap("same", data: ["a": "b"]))
            let again = try await client.update(created)
            #expect(again.metadata.resourceVersion == created.metadata.resourceVersion)
        }
    }

    @Test func generateNameAndNamespaces() async throws {
        try await withFake(namespace: "team-a") { server, client in
            let generated = try await client.create(ConfigMap(metadata: ObjectMeta(generateName: "job-")))
            #expect(generated.name.hasPrefix("job-"))
            #expect(generated.name.count == 9)
            #expect(generated.metadata.namespace == "team-a")
            _ = try await client.create(configMap("other"), namespace: "team-b")
            #expect(try await client.list(ConfigMap.self).items.count == 1)
            #expect(try await client.list(ConfigMap.self, namespace: "team-b").items.map(\.name) == ["other"])
            #expect(try await client.list(ConfigMap.self, allNamespaces: true).items.count == 2)
            #expect(server.object(ConfigMap.self, namespace: "team-b", name: "other") != nil)
        }
    }

    @Test func clusterScopedNodes() async throws {
        try await withFake { _, client in
            let node = Node(metadata: ObjectMeta(name: "node-1", labels: ["zone": "a"]),
                            spec: NodeSpec(taints: [Taint(key: "vigil.dev/primary", value: "db-0",
                                                          effect: "PreferNoSchedule")]))
            let created = try await client.create(node)
            #expect(created.metadata.namespace == nil)
            #expect(created.spec?.taints?.first?.effect == "PreferNoSchedule")
            let patched = try await client.mergePatch(Node.self, name: "node-1", patch: ["spec": ["taints": nil]])
            #expect(patched.spec?.taints == nil)
            #expect(try await client.list(Node.self).items.count == 1)
        }
    }

    @Test func mergePatchMainAndStatus() async throws {
        try await withFake { _, client in
            _ = try await client.create(Service(metadata: ObjectMeta(name: "db", labels: ["a": "1", "b": "2"]),
                                                spec: ServiceSpec(selector: ["app": "db"], ports: [ServicePort(port: 3306)],
                                                                  clusterIP: "None")))
            let patched = try await client.mergePatch(Service.self, name: "db", patch: [
                "metadata": ["labels": ["a": nil, "c": "3"]],
                "spec": ["selector": ["role": "primary"]],
            ])
            #expect(patched.metadata.labels == ["b": "2", "c": "3"])
            #expect(patched.spec?.selector == ["app": "db", "role": "primary"])
            #expect(patched.spec?.clusterIP == "None")

            // A resourceVersion in a patch makes it conditional.
            let stale = await #expect(throws: KubeError.self) {
                try await client.mergePatch(Service.self, name: "db", patch: ["metadata": ["resourceVersion": "1"]])
            }
            #expect(stale?.isConflict == true)

            let missing = await #expect(throws: KubeError.self) {
                try await client.mergePatch(Service.self, name: "nope", patch: ["spec": [:]])
            }
            #expect(missing?.isNotFound == true)
        }
    }

    @Test func customResourcesThroughTheProtocol() async throws {
        try await withFake { _, client in
            let cluster = MySQLCluster(metadata: ObjectMeta(name: "shop"), spec: .init(replicas: 3))
            let created = try await client.create(cluster)
            #expect(created.spec?.replicas == 3)
            var withStatus = created
            withStatus.status = .init(phase: "Ready", primary: "shop-0")
            let status = try await client.updateStatus(withStatus)
            #expect(status.status?.primary == "shop-0")
            let dns = DNSEndpoint(metadata: ObjectMeta(name: "shop-primary"), spec: DNSEndpointSpec(endpoints: [
                DNSRecord(dnsName: "shop.db.example", recordType: "A", recordTTL: 5, targets: ["10.0.0.7"]),
            ]))
            #expect(try await client.create(dns).spec?.endpoints?.first?.targets == ["10.0.0.7"])
        }
    }
}

/// A stand-in for the operator's CRD, to show any `KubeResource` works.
struct MySQLCluster: KubeResource, Hashable {
    static let apiVersion = "vigil.dev/v1alpha1"
    static let kind = "MySQLCluster"
    static let plural = "mysqlclusters"
    static let namespaced = true

    struct Spec: Codable, Sendable, Hashable {
        var replicas: Int
    }

    struct State: Codable, Sendable, Hashable {
        var phase: String?
        var primary: String?
    }

    var metadata: ObjectMeta
    var spec: Spec?
    var status: State?
}

@Suite("Fake server test hooks")
struct FakeHookTests {
    /// Tests act as the kubelet or another controller by writing the store directly; clients
    /// see those writes like any other, watches included.
    @Test func directStoreWritesAreVisibleToClients() async throws {
        try await withFake { server, client in
            let events = StreamRecorder(try await client.watch(
                Pod.self, options: WatchOptions(resourceVersion: server.resourceVersion, allowWatchBookmarks: false)))
            defer { events.cancel() }
            var pod = Pod(metadata: ObjectMeta(name: "db-0", namespace: "default"),
                          spec: PodSpec(containers: [Container(name: "mysql")]),
                          status: PodStatus(phase: "Running", podIP: "10.1.0.5"))
            pod = try server.put(pod)
            #expect(pod.status?.podIP == "10.1.0.5")
            let read = try await client.get(Pod.self, name: "db-0")
            #expect(read.status?.phase == "Running")
            pod.status?.phase = "Failed"
            try server.put(pod)
            #expect(server.object(Pod.self, name: "db-0")?.status?.phase == "Failed")
            #expect(await events.waitFor(count: 3).map(\.summary) == ["ADDED db-0", "MODIFIED db-0", "MODIFIED db-0"])
        }
    }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    /// Many tasks share one client and increment a counter with read-modify-write; optimistic
    /// concurrency (409 → re-read → retry) must lose no increment.
    @Test func concurrentIncrementsThroughConflicts() async throws {
        try await withFake { _, client in
            _ = try await client.create(configMap("counter", data: ["n": "0"]))
            let workers = 20
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while true {
                            var counter = try await client.get(ConfigMap.self, name: "counter")
                            counter.data = ["n": String(Int(counter.data?["n"] ?? "0")! + 1)]
                            do {
                                _ = try await client.update(counter)
                                return
                            } catch {
                                // Someone else won: re-read and try again; anything else fails the test.
                                guard (error as? KubeError)?.isConflict == true else { throw error }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counter = try await client.get(ConfigMap.self, name: "counter")
            #expect(counter.data?["n"] == String(workers))
        }
    }
}
