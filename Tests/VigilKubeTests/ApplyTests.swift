import Testing
import VigilKube
import VigilKubeFake

@Suite("Server-side apply")
struct ApplyTests {
    static func pod(image: String, env: [EnvVar]? = nil, labels: [String: String]? = nil,
                    extraContainer: Bool = false) -> Pod {
        var containers = [Container(name: "mysql", image: image, env: env)]
        if extraContainer { containers.append(Container(name: "agent", image: "vigil:1")) }
        return Pod(metadata: ObjectMeta(name: "db-0", labels: labels), spec: PodSpec(containers: containers))
    }

    @Test func createsThenUpdatesAndRemovesOmittedFields() async throws {
        try await withFake { server, client in
            let created = try await client.apply(Self.pod(image: "mysql:8.4", env: [EnvVar(name: "A", value: "1")],
                                                          labels: ["app": "db", "tier": "data"], extraContainer: true))
            #expect(created.metadata.uid != nil)
            #expect(created.spec?.containers.map(\.name) == ["mysql", "agent"])

            // The same manager applies again without the agent container, env and one label.
            let updated = try await client.apply(Self.pod(image: "mysql:9.1", labels: ["app": "db"]))
            #expect(updated.spec?.containers.map(\.name) == ["mysql"])
            #expect(updated.spec?.containers.first?.image == "mysql:9.1")
            #expect(updated.spec?.containers.first?.env == nil)
            #expect(updated.metadata.labels == ["app": "db"])
            #expect(updated.metadata.uid == created.metadata.uid)

            // Fields set by someone else survive our apply.
            _ = try await client.mergePatch(Pod.self, name: "db-0",
                                            patch: ["metadata": ["annotations": ["note": "kept"]]])
            let again = try await client.apply(Self.pod(image: "mysql:9.1", labels: ["app": "db"]))
            #expect(again.metadata.annotations == ["note": "kept"])
            #expect(again.metadata.resourceVersion == server.resourceVersion)
        }
    }

    @Test func conflictsWithAnotherManagerUnlessForced() async throws {
        try await withFake { _, client in
            _ = try await client.apply(Self.pod(image: "mysql:8.4", labels: ["app": "db"]), fieldManager: "vigil")
            // Another manager sets the same value: shared ownership, no conflict.
            _ = try await client.apply(Self.pod(image: "mysql:8.4"), fieldManager: "other")
            // …but a different value conflicts.
            let error = await #expect(throws: KubeError.self) {
                try await client.apply(Self.pod(image: "mysql:9.1"), fieldManager: "other")
            }
            #expect(error?.isConflict == true)
            #expect(error?.message.contains("conflict with \"vigil\"") == true)
            #expect(error?.message.contains(".spec.containers[name=mysql].image") == true)
            #expect(try await client.get(Pod.self, name: "db-0").spec?.containers.first?.image == "mysql:8.4")

            let forced = try await client.apply(Self.pod(image: "mysql:9.1"), fieldManager: "other", force: true)
            #expect(forced.spec?.containers.first?.image == "mysql:9.1")
            // Ownership moved: now "vigil" applying its old value conflicts with "other".
            let back = await #expect(throws: KubeError.self) {
                try await client.apply(Self.pod(image: "mysql:8.4", labels: ["app": "db"]), fieldManager: "vigil")
            }
            #expect(back?.message.contains("conflict with \"other\"") == true)
        }
    }

    @Test func updatesByOtherWritersTakeOwnership() async throws {
        try await withFake { _, client in
            _ = try await client.apply(Self.pod(image: "mysql:8.4"))
            _ = try await client.mergePatch(Pod.self, name: "db-0", patch: [
                "spec": ["containers": [["name": "mysql", "image": "mysql:hotfix"]]],
            ])
            let error = await #expect(throws: KubeError.self) { try await client.apply(Self.pod(image: "mysql:8.4")) }
            #expect(error?.isConflict == true)
        }
    }

    @Test func statusApplyAndMissingFieldManager() async throws {
        try await withFake { server, client in
            _ = try await client.apply(StatusSubresourceTests.deployment("web", replicas: 2))
            var status = Deployment(metadata: ObjectMeta(name: "web"))
            status.status = DeploymentStatus(readyReplicas: 2)
            status.spec = DeploymentSpec(replicas: 5)
            let applied = try await client.apply(status, subresource: .status)
            #expect(applied.status?.readyReplicas == 2)
            #expect(applied.spec?.replicas == 2)

            // The fake answers a body without fieldManager as the real server does.
            let raw = try await withClient(server.config()) { other in
                await #expect(throws: KubeError.self) {
                    try await other.apply(Self.pod(image: "x"), fieldManager: "")
                }
            }
            #expect(raw?.httpStatus == 422)
            #expect(raw?.message.contains("fieldManager is required") == true)
        }
    }
}
