import Testing
import VigilKube
import VigilKubeFake

@Suite("Watch")
struct WatchTests {
    @Test func eventsArriveInOrderFromAResourceVersion() async throws {
        try await withFake { _, client in
            _ = try await client.create(configMap("before"))
            let start = try await client.list(ConfigMap.self).metadata.resourceVersion
            let events = StreamRecorder(try await client.watch(
                ConfigMap.self, options: WatchOptions(resourceVersion: start, allowWatchBookmarks: false)))
            defer { events.cancel() }
            var cm = try await client.create(configMap("a", data: ["v": "1"]))
            cm.data = ["v": "2"]
            cm = try await client.update(cm)
            _ = try await client.create(configMap("b"))
            #expect(try await client.delete(ConfigMap.self, name: "a"))
            let got = await events.waitFor(count: 4)
            #expect(got.map(\.summary) == ["ADDED a", "MODIFIED a", "ADDED b", "DELETED a"])
            #expect(got[1].object?.data == ["v": "2"])
            let versions = got.compactMap { $0.resourceVersion.flatMap { Int($0) } }
            #expect(versions == versions.sorted() && Set(versions).count == 4)
        }
    }

    @Test func watchWithoutVersionStartsWithSyntheticAdds() async throws {
        try await withFake { _, client in
            _ = try await client.create(configMap("x"))
            _ = try await client.create(configMap("y"))
            let events = StreamRecorder(try await client.watch(ConfigMap.self,
                                                               options: WatchOptions(allowWatchBookmarks: false)))
            defer { events.cancel() }
            #expect(await events.waitFor(count: 2).map(\.summary) == ["ADDED x", "ADDED y"])
        }
    }

    @Test func selectorTransitionsBecomeAddedAndDeleted() async throws {
        try await withFake { server, client in
            let start = server.resourceVersion
            let events = StreamRecorder(try await client.watch(
                Pod.self, options: WatchOptions(resourceVersion: start, labelSelector: "role=primary",
                                                allowWatchBookmarks: false)))
            defer { events.cancel() }
            _ = try await client.create(Pod(metadata: ObjectMeta(name: "db-0", labels: ["role": "replica"]),
                                            spec: PodSpec(containers: [Container(name: "c")])))
            _ = try await client.mergePatch(Pod.self, name: "db-0", patch: ["metadata": ["labels": ["role": "primary"]]])
            _ = try await client.mergePatch(Pod.self, name: "db-0", patch: ["metadata": ["annotations": ["a": "b"]]])
            _ = try await client.mergePatch(Pod.self, name: "db-0", patch: ["metadata": ["labels": ["role": "replica"]]])
            #expect(await events.waitFor(count: 3).map(\.summary) == ["ADDED db-0", "MODIFIED db-0", "DELETED db-0"])
        }
    }

    @Test func bookmarksAndServerTimeout() async throws {
        try await withFake(options: .init(bookmarkInterval: .milliseconds(100))) { server, client in
            let start = server.resourceVersion
            let events = StreamRecorder(try await client.watch(
                ConfigMap.self, options: WatchOptions(resourceVersion: start, allowWatchBookmarks: true,
                                                      timeoutSeconds: 1)))
            _ = try await client.create(configMap("a"))
            let got = await events.waitFor(count: 3)
            #expect(got.first?.summary == "ADDED a")
            #expect(got.dropFirst().allSatisfy { $0.summary == "BOOKMARK" })
            // A bookmark is never behind an event already delivered.
            let addedVersion = Int(got.first?.resourceVersion ?? "") ?? .max
            #expect(got.dropFirst().allSatisfy { Int($0.resourceVersion ?? "") ?? 0 >= addedVersion })
            #expect(await events.waitForEnd(within: .seconds(5)))
            #expect(events.error == nil)
            #expect(await eventually { server.openWatchCount == 0 })
        }
    }

    @Test func tooOldVersionIsAn410ErrorEvent() async throws {
        try await withFake { server, client in
            let old = server.resourceVersion
            _ = try await client.create(configMap("a"))
            server.compactHistory()
            let events = StreamRecorder(try await client.watch(ConfigMap.self,
                                                               options: WatchOptions(resourceVersion: old)))
            #expect(await events.waitForEnd())
            let error = events.error as? KubeError
            #expect(error?.isGone == true)
            #expect(error?.httpStatus == 410)
            #expect(error?.message.contains("too old resource version") == true)
        }
    }

    @Test func closingTheServerSideEndsTheStream() async throws {
        try await withFake { server, client in
            let events = StreamRecorder(try await client.watch(ConfigMap.self))
            #expect(await eventually { server.openWatchCount == 1 })
            server.closeAllWatches()
            #expect(await events.waitForEnd())
            #expect(events.error == nil)
        }
    }

    @Test func cancellingTheConsumerClosesTheWatch() async throws {
        try await withFake { server, client in
            let events = StreamRecorder(try await client.watch(ConfigMap.self))
            #expect(await eventually { server.openWatchCount == 1 })
            events.cancel()
            #expect(await eventually { server.openWatchCount == 0 })
        }
    }

    @Test func largeObjectsSurviveTheStream() async throws {
        try await withFake { server, client in
            let events = StreamRecorder(try await client.watch(
                ConfigMap.self, options: WatchOptions(resourceVersion: server.resourceVersion, allowWatchBookmarks: false)))
            defer { events.cancel() }
            let big = String(repeating: "0123456789", count: 300_000)
            _ = try await client.create(configMap("big", data: ["blob": big]))
            _ = try await client.create(configMap("small"))
            let got = await events.waitFor(count: 2)
            #expect(got.map(\.summary) == ["ADDED big", "ADDED small"])
            #expect(got.first?.object?.data?["blob"]?.count == big.count)
        }
    }
}
