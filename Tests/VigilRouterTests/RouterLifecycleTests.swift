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
            // Both ports are free the moment stop() returns: binding exactly them again succeeds
            // at once (a listener left open would make it fail with portInUse). Rebinding right
            // away leaves no window for another process to take them.
            let again = try await Router.start(readWritePort: rwPort, readOnlyPort: roPort, targets: targets)
            #expect(again.readWritePort == rwPort && again.readOnlyPort == roPort)

            #expect(router.stats.readWrite.active == 0 && router.stats.readOnly.active == 0)
            try await eventually("clients see EOF") { writer.isClosed && reader.isClosed }
            try await eventually("backend connections closed") {
                backends[0].openConnections == 0 && backends[1].openConnections == 0
            }
            router.update(RouterTargets())  // harmless after stop

            // The new router serves on the same ports; the stopped one's state is gone.
            let (client, tag) = try await connectTagged(again.readWritePort)
            #expect(tag == "a")
            #expect(router.stats.readWrite.accepted == 1 && again.stats.readWrite.accepted == 1)
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
