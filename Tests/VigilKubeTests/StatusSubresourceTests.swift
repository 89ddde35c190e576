import Testing
import VigilKube
import VigilKubeFake

@Suite("Status subresource")
struct StatusSubresourceTests {
    static func deployment(_ name: String, replicas: Int) -> Deployment {
        Deployment(metadata: ObjectMeta(name: name), spec: DeploymentSpec(
            replicas: replicas, selector: LabelSelector(matchLabels: ["app": name]),
            template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]),
                                      spec: PodSpec(containers: [Container(name: "c", image: "i")]))))
    }

    @Test func mainWritesIgnoreStatusAndStatusWritesIgnoreTheRest() async throws {
        try await withFake { _, client in
            var toCreate = Self.deployment("web", replicas: 1)
            toCreate.status = DeploymentStatus(replicas: 9)
            let created = try await client.create(toCreate)
            #expect(created.status == nil)  // status is not settable on create
            #expect(created.metadata.generation == 1)

            var both = created
            both.spec?.replicas = 2
            both.status = DeploymentStatus(readyReplicas: 5)
            let afterMain = try await client.update(both)
            #expect(afterMain.spec?.replicas == 2)
            #expect(afterMain.status == nil)
            #expect(afterMain.metadata.generation == 2)

            var statusWrite = afterMain
            statusWrite.spec?.replicas = 7
            statusWrite.metadata.labels = ["sneaky": "yes"]
            statusWrite.status = DeploymentStatus(readyReplicas: 2, observedGeneration: 2)
            let afterStatus = try await client.updateStatus(statusWrite)
            #expect(afterStatus.status?.readyReplicas == 2)
            #expect(afterStatus.spec?.replicas == 2)
            #expect(afterStatus.metadata.labels == nil)
            #expect(afterStatus.metadata.generation == 2)  // status never bumps generation

            let patched = try await client.mergePatch(Deployment.self, name: "web",
                                                      patch: ["status": ["readyReplicas": 1], "spec": ["replicas": 4]],
                                                      subresource: .status)
            #expect(patched.status?.readyReplicas == 1)
            #expect(patched.spec?.replicas == 2)

            let mainPatch = try await client.mergePatch(Deployment.self, name: "web",
                                                        patch: ["status": ["readyReplicas": 9], "spec": ["replicas": 4]])
            #expect(mainPatch.status?.readyReplicas == 1)
            #expect(mainPatch.spec?.replicas == 4)
            #expect(mainPatch.metadata.generation == 3)

            // Metadata-only changes do not bump generation either.
            let labelled = try await client.mergePatch(Deployment.self, name: "web",
                                                       patch: ["metadata": ["labels": ["x": "y"]]])
            #expect(labelled.metadata.generation == 3)
        }
    }

    @Test func staleStatusUpdateConflicts() async throws {
        try await withFake { _, client in
            let created = try await client.create(Self.deployment("api", replicas: 1))
            _ = try await client.mergePatch(Deployment.self, name: "api", patch: ["spec": ["replicas": 2]])
            var stale = created
            stale.status = DeploymentStatus(replicas: 1)
            let error = await #expect(throws: KubeError.self) { try await client.updateStatus(stale) }
            #expect(error?.isConflict == true)
        }
    }
}
