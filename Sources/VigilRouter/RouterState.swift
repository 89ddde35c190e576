import NIOConcurrencyHelpers
import NIOCore

/// What the router's listeners, connections and public API share: the routing table and
/// the open connections, under one lock. Holds no reference to `Router`, so dropping the
/// router can still tear everything down.
final class RouterState: Sendable {
    let configuration: RouterConfiguration
    private let shared: NIOLockedValueBox<Shared>

    private struct Shared {
        var table: RoutingTable
        var links: [ConnectionID: ProxyLink] = [:]
        var stopped = false
    }

    init(configuration: RouterConfiguration, targets: RouterTargets) {
        self.configuration = configuration
        self.shared = NIOLockedValueBox(Shared(table: RoutingTable(targets: targets)))
    }

    var stats: RouterStats { shared.withLockedValue { $0.table.stats } }
    var targets: RouterTargets { shared.withLockedValue { $0.table.targets } }

    /// Picks a backend for a newly active client channel and starts proxying, or closes it
    /// at once when there is no target. Runs on the client's event loop.
    func serve(_ client: any Channel, on port: RouterPort) {
        // Admitting and registering under one lock: an update either sees this connection
        // (and may close it) or happened before it and so chose its target.
        let link: ProxyLink? = shared.withLockedValue { shared in
            guard !shared.stopped, let admitted = shared.table.admit(on: port) else { return nil }
            let link = ProxyLink(id: admitted.id, port: port, target: admitted.target, client: client)
            shared.links[admitted.id] = link
            return link
        }
        guard let link else {
            client.close(promise: nil)
            return
        }
        link.closed.whenComplete { [self] _ in
            shared.withLockedValue { shared in
                shared.links[link.id] = nil
                shared.table.finish(link.id)
            }
        }
        link.start(configuration, router: self)
    }

    /// Installs new targets and returns the connections to close (their backends lost the role).
    func update(_ targets: RouterTargets) -> [ProxyLink] {
        shared.withLockedValue { shared in
            shared.table.update(targets).compactMap { shared.links[$0] }
        }
    }

    /// Refuses every later connection and returns the open ones.
    func stop() -> [ProxyLink] {
        shared.withLockedValue { shared in
            shared.stopped = true
            return Array(shared.links.values)
        }
    }

    func connectFailed(_ id: ConnectionID) {
        shared.withLockedValue { $0.table.connectFailed(id) }
    }

    func addBytes(on port: RouterPort, fromClient: Int, fromBackend: Int) {
        shared.withLockedValue { $0.table.addBytes(on: port, fromClient: fromClient, fromBackend: fromBackend) }
    }
}
