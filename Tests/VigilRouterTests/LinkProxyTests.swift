import Foundation
import NIOCore
import NIOPosix
import Testing
import VigilRouter

/// The fault-injecting link proxy `vigil local` puts on every link: healthy links forward,
/// blackholed links hold traffic until healed, reset links reset, and only the named link is hit.
@Suite struct LinkProxyTests {
    /// Runs `body` with echo backends and one link per backend (named after it, port 0).
    func withLinks(_ names: [String], _ body: (LinkProxy, [TestBackend]) async throws -> Void) async throws {
        try await withBackends(names) { backends in
            let links = backends.map { LinkSpec(name: $0.name, listenPort: 0, targetPort: $0.port) }
            let proxy = try await LinkProxy.start(links)
            do {
                try await body(proxy, backends)
            } catch {
                await proxy.stop()
                throw error
            }
            await proxy.stop()
        }
    }

    func text(_ client: TestClient) -> String { String(decoding: client.received, as: UTF8.self) }

    @Test func aHealthyLinkForwardsBothWays() async throws {
        try await withLinks(["db0"]) { proxy, _ in
            let client = try await TestClient.connect(port: proxy.ports["db0"]!)
            try await eventually("greeting through the link") { text(client) == "db0\n" }
            try await client.send(Array("ping\n".utf8))
            try await eventually("echo through the link") { text(client) == "db0\nping\n" }
            try await eventually("connection counted") { proxy.connections(on: "db0") == 1 }
            await client.close()
            try await eventually("connection released") { proxy.connections(on: "db0") == 0 }
        }
    }

    @Test func aBlackholeHoldsTrafficUntilHealedAndLosesNothing() async throws {
        try await withLinks(["db0"]) { proxy, backends in
            let client = try await TestClient.connect(port: proxy.ports["db0"]!)
            try await eventually("greeting") { text(client) == "db0\n" }
            proxy.apply(["db0": .blackhole])
            try await client.send(Array("held\n".utf8))
            // A new connection during the partition is accepted but never reaches the target.
            let late = try await TestClient.connect(port: proxy.ports["db0"]!)
            try await Task.sleep(for: .milliseconds(300))  // a window in which nothing may arrive
            #expect(text(client) == "db0\n")
            #expect(late.receivedCount == 0 && !late.isClosed)
            #expect(backends[0].openConnections == 1)
            #expect(!client.isClosed)

            proxy.apply([:])
            try await eventually("held bytes delivered after healing") { text(client) == "db0\nheld\n" }
            try await eventually("the late connection reaches its target") { text(late) == "db0\n" }
            #expect(backends[0].openConnections == 2)
            await client.close()
            await late.close()
        }
    }

    @Test func aResetLinkResetsOpenAndNewConnectionsUntilHealed() async throws {
        try await withLinks(["db0"]) { proxy, backends in
            let client = try await TestClient.connect(port: proxy.ports["db0"]!)
            try await eventually("greeting") { text(client) == "db0\n" }
            proxy.apply(["db0": .reset])
            try await eventually("open connection reset") { client.isClosed }
            #expect(client.wasReset)
            // A new connection is reset at once: during the connect or right after it.
            if let refused = try? await TestClient.connect(port: proxy.ports["db0"]!) {
                try await eventually("new connection reset") { refused.isClosed }
                #expect(refused.receivedCount == 0)
            }
            try await eventually("the target lost its connection and saw no new one") { backends[0].openConnections == 0 }

            proxy.apply([:])
            let healed = try await TestClient.connect(port: proxy.ports["db0"]!)
            try await eventually("a new connection works after healing") { text(healed) == "db0\n" }
            await healed.close()
        }
    }

    @Test func onlyTheNamedLinkIsFaulted() async throws {
        try await withLinks(["db0", "db1"]) { proxy, _ in
            proxy.apply(["db0": .blackhole])
            let cut = try await TestClient.connect(port: proxy.ports["db0"]!)
            let fine = try await TestClient.connect(port: proxy.ports["db1"]!)
            try await eventually("the other link still works") { text(fine) == "db1\n" }
            #expect(cut.receivedCount == 0)
            #expect(proxy.faults == ["db0": .blackhole])
            await cut.close()
            await fine.close()
        }
    }

    @Test func aPortInUseNamesTheLinkAndLeavesNothingBound() async throws {
        let busy = try PortReservation()
        try busy.listen()
        defer { busy.release() }
        let free = try PortReservation()
        let freePort = free.port
        free.release()
        let links = [LinkSpec(name: "a", listenPort: freePort, targetPort: 1),
                     LinkSpec(name: "b", listenPort: busy.port, targetPort: 1)]
        do {
            let proxy = try await LinkProxy.start(links)
            await proxy.stop()
            Issue.record("binding a port in use succeeded")
        } catch {
            #expect(error.description.contains("127.0.0.1:\(busy.port)") && error.description.contains("link b"))
        }
        // The first link's port was released again.
        let again = try await LinkProxy.start([LinkSpec(name: "a", listenPort: freePort, targetPort: 1)])
        await again.stop()
    }
}
