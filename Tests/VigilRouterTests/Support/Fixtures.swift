import VigilRouter

/// Runs `body` with a router on free loopback ports, stopping it afterwards even on failure.
func withRouter(
    _ configuration: RouterConfiguration = RouterConfiguration(readWritePort: 0, readOnlyPort: 0),
    targets: RouterTargets = RouterTargets(),
    _ body: (Router) async throws -> Void
) async throws {
    let router = try await Router.start(configuration, targets: targets)
    do {
        try await body(router)
    } catch {
        await router.stop()
        throw error
    }
    await router.stop()
}

/// Runs `body` with one echo backend per name, stopping them afterwards even on failure.
func withBackends(_ names: [String], _ body: ([TestBackend]) async throws -> Void) async throws {
    var backends: [TestBackend] = []
    do {
        for name in names { backends.append(try await TestBackend.start(name)) }
        try await body(backends)
    } catch {
        for backend in backends { await backend.stop() }
        throw error
    }
    for backend in backends { await backend.stop() }
}

/// Connects to `port` and waits for the backend's name, which says where the router sent us.
func connectTagged(_ port: Int) async throws -> (client: TestClient, tag: String) {
    let client = try await TestClient.connect(port: port)
    try await eventually("a backend name on port \(port)") { client.tag != nil || client.isClosed }
    guard let tag = client.tag else { throw ConditionTimedOut(description: "closed without a backend name") }
    return (client, tag)
}
