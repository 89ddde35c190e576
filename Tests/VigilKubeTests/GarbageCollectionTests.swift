import Foundation
import Testing
import VigilKube
import VigilKubeFake

@Suite("Garbage collection and finalizers")
struct GarbageCollectionTests {
    @Test func deletingAnOwnerDeletesItsDependents() async throws {
        try await withFake { _, client in
            let owner = try await client.create(configMap("owner"))
            var dependent = configMap("dependent")
            dependent.metadata.ownerReferences = [OwnerReference(controller: owner)]
            _ = try await client.create(dependent)
            var grandchild = Secret(metadata: ObjectMeta(name: "grandchild"))
            grandchild.metadata.ownerReferences = [
                OwnerReference(controller: try await client.get(ConfigMap.self, name: "dependent")),
            ]
            _ = try await client.create(grandchild)
            _ = try await client.create(configMap("unrelated"))

            #expect(try await client.delete(ConfigMap.self, name: "owner"))
            #expect(await eventually {
                (try? await client.list(ConfigMap.self).items.map(\.name)) == ["unrelated"]
            })
            #expect(await eventually { (try? await client.getIfPresent(Secret.self, name: "grandchild")) == .some(nil) })
        }
    }

    @Test func aDependentCreatedAfterItsOwnerWentIsCollected() async throws {
        try await withFake { _, client in
            // A controller working from a stale cache creates a pod for a Deployment that is
            // already deleted: the collector removes it, as it removes dependents of any gone owner.
            let owner = try await client.create(configMap("owner"))
            #expect(try await client.delete(ConfigMap.self, name: "owner"))
            var late = configMap("late")
            late.metadata.ownerReferences = [OwnerReference(controller: owner)]
            _ = try await client.create(late)
            #expect(try await client.getIfPresent(ConfigMap.self, name: "late") == nil)
            // One live owner among several keeps it.
            let live = try await client.create(configMap("live"))
            var shared = configMap("shared")
            shared.metadata.ownerReferences = [OwnerReference(controller: owner), OwnerReference(controller: live)]
            _ = try await client.create(shared)
            #expect(try await client.getIfPresent(ConfigMap.self, name: "shared") != nil)
        }
    }

    @Test func orphanPropagationLeavesDependents() async throws {
        try await withFake { _, client in
            let owner = try await client.create(configMap("owner"))
            var dependent = configMap("dependent")
            dependent.metadata.ownerReferences = [OwnerReference(controller: owner)]
            _ = try await client.create(dependent)
            #expect(try await client.delete(ConfigMap.self, name: "owner", propagationPolicy: .orphan))
            let kept = try await client.get(ConfigMap.self, name: "dependent")
            #expect(kept.metadata.ownerReferences == nil)
        }
    }

    @Test func finalizersHoldAnObjectUntilRemoved() async throws {
        try await withFake { server, client in
            var cluster = MySQLCluster(metadata: ObjectMeta(name: "shop", finalizers: ["vigil.dev/cleanup"]),
                                       spec: .init(replicas: 1))
            cluster = try await client.create(cluster)
            var child = configMap("shop-config")
            child.metadata.ownerReferences = [OwnerReference(controller: cluster)]
            _ = try await client.create(child)

            let events = StreamRecorder(try await client.watch(
                MySQLCluster.self, options: WatchOptions(resourceVersion: server.resourceVersion,
                                                         allowWatchBookmarks: false)))
            defer { events.cancel() }

            #expect(try await client.delete(MySQLCluster.self, name: "shop"))
            let terminating = try await client.get(MySQLCluster.self, name: "shop")
            #expect(terminating.metadata.deletionTimestamp != nil)
            #expect(try await client.list(MySQLCluster.self).items.count == 1)
            // Dependents stay while the owner is only terminating.
            #expect(try await client.getIfPresent(ConfigMap.self, name: "shop-config") != nil)

            // New finalizers cannot be added to a terminating object.
            var adding = terminating
            adding.metadata.finalizers = ["vigil.dev/cleanup", "other"]
            let forbidden = await #expect(throws: KubeError.self) { try await client.update(adding) }
            #expect(forbidden?.kind == .invalid)

            // Deleting again changes nothing.
            #expect(try await client.delete(MySQLCluster.self, name: "shop"))
            #expect(try await client.get(MySQLCluster.self, name: "shop").metadata.deletionTimestamp
                    == terminating.metadata.deletionTimestamp)

            _ = try await client.mergePatch(MySQLCluster.self, name: "shop",
                                            patch: ["metadata": ["finalizers": nil]])
            #expect(try await client.getIfPresent(MySQLCluster.self, name: "shop") == nil)
            #expect(await eventually {
                (try? await client.getIfPresent(ConfigMap.self, name: "shop-config")) == .some(nil)
            })
            #expect(await events.waitFor(count: 2).map(\.summary) == ["MODIFIED shop", "DELETED shop"])
        }
    }

    @Test func foregroundDeletionWaitsForDependents() async throws {
        try await withFake { _, client in
            let owner = try await client.create(configMap("owner"))
            var blocked = configMap("blocked")
            blocked.metadata.ownerReferences = [OwnerReference(controller: owner)]
            blocked.metadata.finalizers = ["test/hold"]
            _ = try await client.create(blocked)

            #expect(try await client.delete(ConfigMap.self, name: "owner", propagationPolicy: .foreground))
            let waiting = try await client.get(ConfigMap.self, name: "owner")
            #expect(waiting.metadata.finalizers == ["foregroundDeletion"])
            #expect(try await client.get(ConfigMap.self, name: "blocked").metadata.deletionTimestamp != nil)

            _ = try await client.mergePatch(ConfigMap.self, name: "blocked", patch: ["metadata": ["finalizers": nil]])
            #expect(await eventually { (try? await client.list(ConfigMap.self).items.count) == 0 })
        }
    }
}
