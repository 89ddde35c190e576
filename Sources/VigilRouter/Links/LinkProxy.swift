import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The fault-injecting loopback proxy of a local group: one listener per link, forwarding to
/// the link's target; `apply` partitions links (blackhole or reset) and heals them.
public final class LinkProxy: Sendable {
    public let links: [LinkSpec]
    private let listeners: [any Channel]
    private let registry: Registry

    private init(links: [LinkSpec], listeners: [any Channel], registry: Registry) {
        self.links = links
        self.listeners = listeners
        self.registry = registry
    }

    /// Binds every link on 127.0.0.1. If one port cannot be bound, nothing stays bound and
    /// the error names the port and its link.
    public static func start(_ links: [LinkSpec], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws(LinkProxyError) -> LinkProxy
    {
        let registry = Registry()
        var listeners: [any Channel] = []
        for link in links {
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.autoRead, value: false)
                .childChannelInitializer { client in
                    client.eventLoop.makeCompletedFuture {
                        let connection = LinkConnection(client: client, targetPort: link.targetPort)
                        // Started once the accepted channel is active: a target connected
                        // sooner would find the client not yet active and be dropped.
                        try client.pipeline.syncOperations.addHandler(LinkStart {
                            connection.apply(registry.add(connection, on: link.name))
                        })
                        client.closeFuture.whenComplete { _ in registry.remove(connection, from: link.name) }
                    }
                }
            do {
                listeners.append(try await bootstrap.bind(host: "127.0.0.1", port: link.listenPort).get())
            } catch {
                for listener in listeners { try? await listener.close() }
                throw LinkProxyError(link: link.name, port: link.listenPort, reason: "\(error)")
            }
        }
        return LinkProxy(links: links, listeners: listeners, registry: registry)
    }

    /// Puts `faults` in force (links not named are healthy) and applies the change to every
    /// open connection of each link whose fault changed.
    public func apply(_ faults: [String: LinkFault]) {
        for (connection, fault) in registry.replaceFaults(faults) {
            connection.apply(fault)
        }
    }

    public var faults: [String: LinkFault] { registry.currentFaults }

    /// The port each link listens on (the bound one, for links asked for port 0).
    public var ports: [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(links, listeners).map { ($0.name, $1.localAddress?.port ?? $0.listenPort) })
    }

    /// Open connections on `link` (accepted and not yet closed).
    public func connections(on link: String) -> Int { registry.count(on: link) }

    public func stop() async {
        for listener in listeners { try? await listener.close() }
        for connection in registry.all() { connection.client.close(promise: nil) }
    }

    final class Registry: Sendable {
        private struct State {
            var faults: [String: LinkFault] = [:]
            var connections: [String: [ObjectIdentifier: LinkConnection]] = [:]
        }
        private let state = NIOLockedValueBox(State())

        /// Registers the connection; returns the link's current fault.
        func add(_ connection: LinkConnection, on link: String) -> LinkFault? {
            state.withLockedValue {
                $0.connections[link, default: [:]][ObjectIdentifier(connection)] = connection
                return $0.faults[link]
            }
        }

        func remove(_ connection: LinkConnection, from link: String) {
            state.withLockedValue { _ = $0.connections[link]?.removeValue(forKey: ObjectIdentifier(connection)) }
        }

        /// Returns the connections whose link's fault changed, with the new fault.
        func replaceFaults(_ faults: [String: LinkFault]) -> [(LinkConnection, LinkFault?)] {
            state.withLockedValue { s in
                let old = s.faults
                s.faults = faults
                var changed: [(LinkConnection, LinkFault?)] = []
                for (link, connections) in s.connections where old[link] != faults[link] {
                    changed += connections.values.map { ($0, faults[link]) }
                }
                return changed
            }
        }

        var currentFaults: [String: LinkFault] { state.withLockedValue { $0.faults } }
        func count(on link: String) -> Int { state.withLockedValue { $0.connections[link]?.count ?? 0 } }
        func all() -> [LinkConnection] { state.withLockedValue { $0.connections.values.flatMap(\.values) } }
    }
}

/// Starts a link connection when its accepted channel becomes active, then steps aside.
private final class LinkStart: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let start: () -> Void

    init(_ start: @escaping () -> Void) {
        self.start = start
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// A link's port could not be bound.
public struct LinkProxyError: Error, Sendable, CustomStringConvertible {
    public var link: String
    public var port: Int
    public var reason: String

    public var description: String {
        "cannot listen on 127.0.0.1:\(port) for link \(link): \(reason)"
    }
}
