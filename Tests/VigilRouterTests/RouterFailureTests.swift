import NIOCore
import NIOPosix
import Testing
import VigilRouter

/// No target, unreachable backends and bad listen settings.
@Suite struct RouterFailureTests {
    @Test func noTargetClosesTheClientAndCountsItRefused() async throws {
        try await withRouter { router in
            let writer = try await TestClient.connect(port: router.readWritePort)
            let reader = try await TestClient.connect(port: router.readOnlyPort)
            try await eventually("both clients closed") { writer.isClosed && reader.isClosed }
            #expect(writer.receivedCount == 0 && reader.receivedCount == 0)
            try await eventually("refusals counted") {
                router.stats.readWrite.refused == 1 && router.stats.readOnly.refused == 1
            }
            #expect(router.stats.readWrite.accepted == 1 && router.stats.readWrite.active == 0)

            // A target arriving later is used at once.
            try await withBackends(["a"]) { backends in
                router.update(RouterTargets(primary: backends[0].endpoint))
                let (client, tag) = try await connectTagged(router.readWritePort)
                #expect(tag == "a")
                await client.close()
            }
        }
    }

    @Test func refusedBackendClosesTheClient() async throws {
        // Held bound but not listening for the whole test: every connect to it is refused,
        // and no other listener can appear there meanwhile.
        let deadPort = try PortReservation()
        defer { deadPort.release() }
        let dead = RouterEndpoint(name: "dead", host: "127.0.0.1", port: deadPort.port)
        try await withRouter(targets: RouterTargets(primary: dead)) { router in
            let client = try await TestClient.connect(port: router.readWritePort)
            try await eventually("client closed") { client.isClosed }
            #expect(client.receivedCount == 0)
            try await eventually("failure counted and connection released") {
                router.stats.readWrite.connectFailed == 1 && router.stats.readWrite.active == 0
            }
            #expect(router.stats.readWrite.accepted == 1 && router.stats.readWrite.activeByTarget.isEmpty)
            #expect(router.stats.readOnly.connectFailed == 0)
        }
    }

    @Test func unreachableBackendClosesTheClientWithinTheConnectTimeout() async throws {
        // A loopback listener that never accepts, its accept queue filled: Linux drops further
        // SYNs, so the router's connect hangs until its timeout (no packet leaves the host).
        let stuck = try PortReservation()
        try stuck.listen()
        defer { stuck.release() }
        var fillers: [TestClient] = []
        for _ in 0..<2 { fillers.append(try await TestClient.connect(port: stuck.port)) }
        defer { for filler in fillers { Task { await filler.close() } } }
        let blackHole = RouterEndpoint(name: "gone", host: "127.0.0.1", port: stuck.port)
        var configuration = RouterConfiguration(readWritePort: 0, readOnlyPort: 0)
        configuration.connectTimeout = .milliseconds(200)
        try await withRouter(configuration, targets: RouterTargets(primary: blackHole)) { router in
            let client = try await TestClient.connect(port: router.readOnlyPort)
            try await eventually("client closed") { client.isClosed }
            try await eventually("failure counted") { router.stats.readOnly.connectFailed == 1 }
        }
    }

    @Test func portInUseIsATypedErrorAndLeavesNothingListening() async throws {
        // A real listener, held open for the whole test.
        let occupant = try await TestBackend.start("occupant")
        #if os(Linux)
        // The read-write port to be bound before the read-only bind fails: held (bound, not
        // listening) for the whole test, so nobody else can take it, and so that `listen()`
        // on it below proves the router left nothing listening there. (Relies on Linux's
        // SO_REUSEADDR: only a listening socket conflicts with the router's bind.)
        let readWrite = try PortReservation()
        defer { readWrite.release() }
        await #expect(throws: RouterError.portInUse(port: occupant.port, .readOnly)) {
            _ = try await Router.start(readWritePort: readWrite.port, readOnlyPort: occupant.port)
        }
        // The read-write port bound before the failure was released: nothing accepts on it,
        // and no socket but ours listens on it.
        await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: readWrite.port) }
        #expect(throws: Never.self) { try readWrite.listen() }
        #else
        await #expect(throws: RouterError.portInUse(port: occupant.port, .readOnly)) {
            _ = try await Router.start(readWritePort: 0, readOnlyPort: occupant.port)
        }
        #endif

        await #expect(throws: RouterError.portInUse(port: occupant.port, .readWrite)) {
            _ = try await Router.start(readWritePort: occupant.port, readOnlyPort: 0)
        }
        #expect(RouterError.portInUse(port: occupant.port, .readOnly).description.contains("\(occupant.port)"))
        #expect(!RouterError.portInUse(port: 1, .readOnly).isUsageError)
        await occupant.stop()
    }

    @Test(arguments: ["0.0.0.0", "192.168.1.10", "localhost", "::", "example.com"])
    func nonLoopbackBindAddressIsAUsageError(host: String) async throws {
        let configuration = RouterConfiguration(bindHost: host, readWritePort: 0, readOnlyPort: 0)
        let error = await #expect(throws: RouterError.self) { _ = try await Router.start(configuration) }
        #expect(error == .nonLoopbackBindAddress(host))
        #expect(error?.isUsageError == true)
    }

    @Test func badPortsAreUsageErrors() async throws {
        await #expect(throws: RouterError.invalidPort(70000)) {
            _ = try await Router.start(readWritePort: 70000, readOnlyPort: 0)
        }
        await #expect(throws: RouterError.invalidPort(-1)) {
            _ = try await Router.start(readWritePort: 0, readOnlyPort: -1)
        }
        await #expect(throws: RouterError.duplicatePort(4000)) {
            _ = try await Router.start(readWritePort: 4000, readOnlyPort: 4000)
        }
    }
}
