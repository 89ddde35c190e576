import NIOCore
import Testing
import VigilRouter

/// Bytes through the proxy: integrity, counters and bounded buffering.
@Suite struct RouterDataPathTests {
    @Test func twentyMebibytesEchoThroughTheProxyIntact() async throws {
        let payload = patternBytes(count: 20 << 20)
        try await withBackends(["a"]) { backends in
            try await withRouter(targets: RouterTargets(primary: backends[0].endpoint)) { router in
                let (client, _) = try await connectTagged(router.readWritePort)
                try await client.send(payload)
                try await eventually("the whole echo", within: .seconds(60)) { client.receivedCount >= 2 + payload.count }
                let echoed = client.received.dropFirst(2)
                #expect(echoed.count == payload.count)
                #expect(checksum(echoed) == checksum(payload))
                await client.close()
            }
        }
    }

    @Test func byteCountersAddUp() async throws {
        try await withBackends(["a", "b"]) { backends in
            let targets = RouterTargets(primary: backends[0].endpoint, replicas: [backends[1].endpoint])
            try await withRouter(targets: targets) { router in
                let (writer, _) = try await connectTagged(router.readWritePort)
                let (reader, _) = try await connectTagged(router.readOnlyPort)
                #expect(router.stats.readWrite.activeByTarget == ["a": 1])
                #expect(router.stats.readOnly.activeByTarget == ["b": 1])
                try await writer.send(patternBytes(count: 1000))
                try await reader.send(patternBytes(count: 300))
                try await reader.send(patternBytes(count: 200))
                try await eventually("echoes") { writer.receivedCount == 1002 && reader.receivedCount == 502 }
                await writer.close()
                await reader.close()
                try await eventually("connections released") {
                    router.stats.readWrite.active == 0 && router.stats.readOnly.active == 0
                }
                let stats = router.stats
                #expect(stats.readWrite.bytesIn == 1000 && stats.readWrite.bytesOut == 1002)
                #expect(stats.readOnly.bytesIn == 500 && stats.readOnly.bytesOut == 502)
                #expect(stats.readWrite.accepted == 1 && stats.readOnly.accepted == 1)
                #expect(stats.readWrite.activeByTarget.isEmpty && stats.readOnly.activeByTarget.isEmpty)
            }
        }
    }

    @Test func backendClosingAfterABurstStillDeliversEverything() async throws {
        let payload = patternBytes(count: 3 << 20)
        let backend = try await TestBackend.start("burst", payload: payload)
        try await withRouter(targets: RouterTargets(primary: backend.endpoint)) { router in
            let client = try await TestClient.connect(port: router.readWritePort)
            try await eventually("EOF after the burst") { client.isClosed }
            #expect(client.receivedCount == 6 + payload.count)
            #expect(checksum(client.received.dropFirst(6)) == checksum(payload))
        }
        await backend.stop()
    }

    /// A client that reads slowly must not make the router read the backend ahead of it: what
    /// the router has read but the client has not is bounded by kernel buffers (the router's
    /// send buffer, at most 4 MiB here, and the client's pinned 64 KiB receive buffer) plus
    /// the write buffer high water mark and one read batch, far below the payload.
    @Test func slowReaderIsHeldBackByBackpressure() async throws {
        let payload = patternBytes(count: 48 << 20)
        let bound = 12 << 20
        let backend = try await TestBackend.start("flood", payload: payload)
        try await withRouter(targets: RouterTargets(primary: backend.endpoint)) { router in
            let client = try await TestClient.connect(port: router.readWritePort, autoRead: false, receiveBuffer: 64 << 10)
            var worstLead = 0
            while client.receivedCount < 6 + payload.count {
                let before = client.receivedCount
                client.read()
                try await eventually("progress at \(before) bytes") { client.receivedCount > before || client.isClosed }
                worstLead = max(worstLead, router.stats.readWrite.bytesOut - client.receivedCount)
                if client.isClosed { break }
            }
            #expect(worstLead <= bound, "router read \(worstLead) bytes ahead of the client")
            #expect(client.receivedCount == 6 + payload.count)
            #expect(checksum(client.received.dropFirst(6)) == checksum(payload))
            await client.close()
        }
        await backend.stop()
    }
}
