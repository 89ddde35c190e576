import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The built-in router of `vigil local`: a TCP proxy on loopback with a read-write port
/// (always the current primary) and a read-only port (healthy replicas round robin, else the
/// primary). Targets come only from `update(_:)`; the router never decides anything itself.
///
/// On an update, new connections follow at once; open connections whose backend lost its
/// role for their port are closed (all connections to a demoted primary, on both ports). A
/// port without a target closes new clients immediately (counted as refused); a backend
/// that cannot be reached within the connect timeout closes its client (counted).
///
/// Latency note for benchmarks: per connection the router adds one backend connect (IP
/// literals skip resolution) and a few small objects; per read it forwards the same
/// ByteBuffer (no copy) and takes one uncontended lock for the byte counters.
public final class Router: Sendable {
    /// The bound read-write address, "127.0.0.1:port" (or "[::1]:port").
    public let readWriteAddress: String
    public let readOnlyAddress: String
    public let readWritePort: Int
    public let readOnlyPort: Int
    private let state: RouterState
    private let listeners: [any Channel]

    private init(state: RouterState, readWrite: any Channel, readOnly: any Channel) {
        let host = state.configuration.bindHost
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.state = state
        self.listeners = [readWrite, readOnly]
        self.readWritePort = readWrite.localAddress?.port ?? state.configuration.readWritePort
        self.readOnlyPort = readOnly.localAddress?.port ?? state.configuration.readOnlyPort
        self.readWriteAddress = "\(hostPart):\(readWritePort)"
        self.readOnlyAddress = "\(hostPart):\(readOnlyPort)"
    }

    deinit {
        // A router dropped without stop() must not keep ports or connections open.
        for listener in listeners { listener.close(promise: nil) }
        for link in state.stop() { link.abort() }
    }

    /// Binds both ports on 127.0.0.1 (0 picks a free port) and starts routing to `targets`.
    public static func start(
        readWritePort: Int,
        readOnlyPort: Int,
        targets: RouterTargets = RouterTargets(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RouterError) -> Router {
        try await start(RouterConfiguration(readWritePort: readWritePort, readOnlyPort: readOnlyPort),
                        targets: targets, group: group)
    }

    /// Validates the configuration, then binds both ports. If either cannot be bound,
    /// nothing is left listening.
    public static func start(
        _ configuration: RouterConfiguration,
        targets: RouterTargets = RouterTargets(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RouterError) -> Router {
        try configuration.validate()
        let state = RouterState(configuration: configuration, targets: targets)
        let readWrite = try await listen(state, .readWrite, port: configuration.readWritePort, group: group)
        let readOnly: any Channel
        do {
            readOnly = try await listen(state, .readOnly, port: configuration.readOnlyPort, group: group)
        } catch {
            try? await readWrite.close()
            throw error
        }
        return Router(state: state, readWrite: readWrite, readOnly: readOnly)
    }

    private static func listen(
        _ state: RouterState, _ role: RouterPort, port: Int, group: any EventLoopGroup
    ) async throws(RouterError) -> any Channel {
        let configuration = state.configuration
        let bootstrap = ServerBootstrap(group: group)
            // Rebinding right after a stop must not fail on TIME_WAIT; an active listener still
            // makes the bind fail with EADDRINUSE.
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Not read until the backend is connected: the kernel holds early bytes, not us.
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.writeBufferWaterMark, value: configuration.waterMark)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientAcceptHandler(router: state, port: role))
                }
            }
        do {
            return try await bootstrap.bind(host: configuration.bindHost, port: port).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw .portInUse(port: port, role)
        } catch {
            throw .bindFailed(port: port, role, reason: "\(error)")
        }
    }

    /// Installs new targets; idempotent and effective at once for new connections. Open
    /// connections whose backend lost its role for their port are closed (asynchronously).
    public func update(_ targets: RouterTargets) {
        for link in state.update(targets) { link.abort() }
    }

    /// The targets in force.
    public var targets: RouterTargets { state.targets }

    /// A snapshot of the counters.
    public var stats: RouterStats { state.stats }

    /// Stops listening, closes every connection and returns once all are closed and both
    /// ports are free.
    public func stop() async {
        let links = state.stop()
        for listener in listeners { try? await listener.close() }
        for link in links { link.abort() }
        for link in links { try? await link.closed.get() }
    }
}
