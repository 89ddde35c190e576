import Foundation
import Testing
import VigilRouter

/// Starting, stopping and the ports in between.
@Suite struct RouterLifecycleTests {
    @Test func stopClosesEveryConnectionAndFreesThePorts() async throws {
        try await withBackends(["a", "b"]) { backends in
            let targets = RouterTargets(primary: backends[0].endpoint, replicas: [backends[1].endpoint])
            let router = try await Router.start(readWritePort: 0, readOnlyPort: 0, targets: targets)
            let (rwPort, roPort) = (router.readWritePort, router.readOnlyPort)
            let (writer, _) = try await connectTagged(rwPort)
            let (reader, _) = try await connectTagged(roPort)

            await router.stop()
            #expect(router.stats.readWrite.active == 0 && router.stats.readOnly.active == 0)
            try await eventually("clients see EOF", within: .seconds(2)) { writer.isClosed && reader.isClosed }
            try await eventually("backend connections closed") {
                backends[0].openConnections == 0 && backends[1].openConnections == 0
            }
            await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: rwPort) }
            await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: roPort) }
            router.update(RouterTargets())  // harmless after stop

            // The same ports can be bound again at once.
            let again = try await Router.start(readWritePort: rwPort, readOnlyPort: roPort, targets: targets)
            let (client, tag) = try await connectTagged(again.readWritePort)
            #expect(tag == "a")
            await again.stop()
            try await eventually("EOF after the second stop") { client.isClosed }
        }
    }

    @Test func statsEncodeAsJSON() throws {
        var stats = RouterStats()
        stats.readWrite.accepted = 3
        stats.readWrite.activeByTarget = ["a": 2]
        let json = try JSONEncoder().encode(stats)
        #expect(try JSONDecoder().decode(RouterStats.self, from: json) == stats)
    }
}
