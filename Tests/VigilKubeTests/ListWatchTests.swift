import Testing
import VigilKube
import VigilKubeFake

@Suite("List-then-watch")
struct ListWatchTests {
    static func summary(_ event: ListWatchEvent<ConfigMap>) -> String {
        switch event {
        case .listed(let items, _): "LISTED " + items.map(\.name).joined(separator: ",")
        case .added(let object): "ADDED \(object.name)"
        case .modified(let object): "MODIFIED \(object.name)"
        case .deleted(let object): "DELETED \(object.name)"
        }
    }

    @Test func resumesAfterTheServerClosesTheWatch() async throws {
        try await withFake { server, client in
            _ = try await client.create(configMap("a"))
            let events = StreamRecorder(client.listWatch(ConfigMap.self))
            defer { events.cancel() }
            #expect(await events.waitFor(count: 1).map(Self.summary) == ["LISTED a"])
            #expect(await eventually { server.openWatchCount == 1 })
            server.clearRequests()

            server.closeAllWatches()
            _ = try await client.create(configMap("b"))  // made while no watch was open
            let got = await events.waitFor(count: 2).map(Self.summary)
            #expect(got == ["LISTED a", "ADDED b"])
            // Resumed from the last version: no second list, no duplicate events.
            #expect(!server.requests.contains { $0.method == "GET" && !$0.query.contains("watch=true") })
            #expect(await eventually { server.openWatchCount == 1 })
        }
    }

    @Test func relistsAfter410() async throws {
        try await withFake { server, client in
            _ = try await client.create(configMap("a"))
            let events = StreamRecorder(client.listWatch(ConfigMap.self))
            defer { events.cancel() }
            await events.waitFor(count: 1)
            #expect(await eventually { server.openWatchCount == 1 })

            // The watch drops and cannot come back (reads fail) while changes happen and the
            // history is compacted: resuming from the old version then gets a 410 ERROR
            // event, so the helper must list again.
            server.injectFailures(count: 100_000, status: 503, matching: "GET ")
            server.closeAllWatches()
            _ = try await client.create(configMap("b"))
            #expect(try await client.delete(ConfigMap.self, name: "a"))
            server.compactHistory()
            server.clearInjectedFailures()
            let got = await events.waitFor(count: 2).map(Self.summary)
            #expect(got == ["LISTED a", "LISTED b"])
            _ = try await client.create(configMap("c"))
            #expect(await events.waitFor(count: 3).map(Self.summary).last == "ADDED c")
        }
    }

    @Test func resumesFromABookmark() async throws {
        try await withFake { server, client in
            let events = StreamRecorder(client.listWatch(ConfigMap.self))
            defer { events.cancel() }
            await events.waitFor(count: 1)
            #expect(await eventually { server.openWatchCount == 1 })
            // Other types change; only a bookmark carries this watch's position forward.
            for index in 0..<3 { _ = try await client.create(Secret(metadata: ObjectMeta(name: "s\(index)"))) }
            let moved = server.resourceVersion
            server.clearRequests()
            server.sendBookmarks()
            server.closeAllWatches()
            #expect(await eventually {
                server.requests.contains { $0.query.contains("watch=true") && $0.query.contains("resourceVersion=\(moved)") }
            })
            #expect(!server.requests.contains { !$0.query.contains("watch=true") })  // no re-list
            #expect(events.items.count == 1)
        }
    }

    @Test func forbiddenEndsTheStream() async throws {
        try await withFake(options: .init(bearerToken: "t")) { server, _ in
            let config = KubeConfig(server: server.url, credentials: .token(Redacted("bad")))
            try await withClient(config) { client in
                let events = StreamRecorder(client.listWatch(ConfigMap.self))
                #expect(await events.waitForEnd())
                #expect((events.error as? KubeError)?.kind == .unauthorized)
            }
        }
    }

    /// The cache a controller keeps ends up equal to the server's state, through watch drops
    /// and a re-list after compaction.
    @Test func cacheConvergesToTheServer() async throws {
        try await withFake { server, client in
            for index in 0..<3 { _ = try await client.create(configMap("cm-\(index)")) }
            let events = StreamRecorder(client.listWatch(ConfigMap.self))
            defer { events.cancel() }
            await events.waitFor(count: 1)
            _ = try await client.create(configMap("cm-3"))
            _ = try await client.mergePatch(ConfigMap.self, name: "cm-0", patch: ["data": ["k": "v"]])
            server.injectFailures(count: 100_000, status: 503, matching: "GET ")
            server.closeAllWatches()
            #expect(try await client.delete(ConfigMap.self, name: "cm-1"))
            server.compactHistory()
            server.clearInjectedFailures()
            _ = try await client.create(configMap("cm-4"))

            let expected = try await client.list(ConfigMap.self).items.map(\.name)
            #expect(expected == ["cm-0", "cm-2", "cm-3", "cm-4"])
            #expect(await eventually {
                var cache = ObjectCache<ConfigMap>()
                for event in events.items { cache.apply(event) }
                return cache.hasSynced && cache.sorted.map(\.name) == expected
                    && cache.get(name: "cm-0", namespace: "default")?.data == ["k": "v"]
            })
        }
    }
}
