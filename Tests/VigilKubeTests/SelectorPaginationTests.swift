import Testing
import VigilKube
import VigilKubeFake

@Suite("Selectors and pagination")
struct SelectorPaginationTests {
    @Test func labelAndFieldSelectors() async throws {
        try await withFake { _, client in
            for (name, role, node, phase) in [("db-0", "primary", "n1", "Running"), ("db-1", "replica", "n2", "Running"),
                                              ("db-2", "replica", "n1", "Pending")] {
                var pod = Pod(metadata: ObjectMeta(name: name, labels: ["app": "db", "role": role]),
                              spec: PodSpec(containers: [Container(name: "c")], nodeName: node))
                pod = try await client.create(pod)
                pod.status = PodStatus(phase: phase)
                _ = try await client.updateStatus(pod)
            }
            _ = try await client.create(Pod(metadata: ObjectMeta(name: "web", labels: ["app": "web"]),
                                            spec: PodSpec(containers: [Container(name: "c")])))
            func names(_ labels: String? = nil, _ fields: String? = nil) async throws -> [String] {
                try await client.list(Pod.self, options: ListOptions(labelSelector: labels, fieldSelector: fields))
                    .items.map(\.name)
            }
            #expect(try await names("app=db") == ["db-0", "db-1", "db-2"])
            #expect(try await names("app=db,role!=primary") == ["db-1", "db-2"])
            #expect(try await names("role in (primary,replica),app") == ["db-0", "db-1", "db-2"])
            #expect(try await names("!role") == ["web"])
            #expect(try await names("role notin (replica)") == ["db-0", "web"])
            #expect(try await names(nil, "spec.nodeName=n1") == ["db-0", "db-2"])
            #expect(try await names(nil, "status.phase!=Running") == ["db-2", "web"])
            #expect(try await names("role=replica", "spec.nodeName==n1,metadata.name=db-2") == ["db-2"])
            #expect(try await names(nil, "metadata.namespace=default").count == 4)

            let badLabel = await #expect(throws: KubeError.self) { try await names("role in primary") }
            #expect(badLabel?.kind == .badRequest)
            #expect(badLabel?.message.contains("role in primary") == true)
            let badField = await #expect(throws: KubeError.self) { try await names(nil, "spec.image=x") }
            #expect(badField?.kind == .badRequest)
            #expect(badField?.message == "field label not supported: spec.image")
        }
    }

    @Test func pagesAreAConsistentSnapshot() async throws {
        try await withFake { server, client in
            for index in 0..<7 { _ = try await client.create(configMap("cm-\(index)")) }
            let first = try await client.list(ConfigMap.self, options: ListOptions(limit: 3))
            #expect(first.items.map(\.name) == ["cm-0", "cm-1", "cm-2"])
            let token = try #require(first.metadata.continueToken)

            // Changes after the first page must not leak into later pages.
            _ = try await client.create(configMap("cm-9"))
            #expect(try await client.delete(ConfigMap.self, name: "cm-4"))

            let second = try await client.list(ConfigMap.self, options: ListOptions(limit: 3, continueToken: token))
            #expect(second.items.map(\.name) == ["cm-3", "cm-4", "cm-5"])
            #expect(second.metadata.resourceVersion == first.metadata.resourceVersion)
            let third = try await client.list(ConfigMap.self,
                                              options: ListOptions(limit: 3, continueToken: second.metadata.continueToken))
            #expect(third.items.map(\.name) == ["cm-6"])
            #expect(third.metadata.continueToken == nil)

            let all = try await client.listAll(ConfigMap.self, pageSize: 2)
            #expect(all.items.map(\.name) == ["cm-0", "cm-1", "cm-2", "cm-3", "cm-5", "cm-6", "cm-9"])
            #expect(all.metadata.resourceVersion == server.resourceVersion)

            // A token whose snapshot has been compacted away answers 410.
            let page = try await client.list(ConfigMap.self, options: ListOptions(limit: 2))
            _ = try await client.create(configMap("cm-10"))
            server.compactHistory()
            let expired = await #expect(throws: KubeError.self) {
                try await client.list(ConfigMap.self, options: ListOptions(limit: 2,
                                                                           continueToken: page.metadata.continueToken))
            }
            #expect(expired?.isGone == true)
        }
    }
}
