/// Identifies one client connection for as long as the router runs.
typealias ConnectionID = UInt64

/// Which backend each port sends a new connection to, which open connections a change of
/// targets must end, and the counters. A pure value: the router keeps it under a lock and
/// does the IO, so the rules are testable without sockets.
struct RoutingTable: Sendable {
    private(set) var targets = RouterTargets()
    private(set) var stats = RouterStats()
    private var routes: [ConnectionID: Route] = [:]
    private var nextID: ConnectionID = 0
    private var nextReplica = 0

    struct Route: Sendable, Equatable {
        var port: RouterPort
        var target: RouterEndpoint
        /// Already told to close by an update; not counted or evicted twice.
        var evicted = false
    }

    init(targets: RouterTargets = RouterTargets()) {
        self.targets = targets
    }

    func route(_ id: ConnectionID) -> Route? { routes[id] }

    /// Counts a new client connection on `port` and picks its backend: the primary for
    /// read-write; the next healthy replica, else the primary, for read-only. Nil means
    /// refused (no target), already counted.
    mutating func admit(on port: RouterPort) -> (id: ConnectionID, target: RouterEndpoint)? {
        stats[port].accepted += 1
        guard let target = pick(for: port) else {
            stats[port].refused += 1
            return nil
        }
        nextID += 1
        routes[nextID] = Route(port: port, target: target)
        stats[port].active += 1
        stats[port].activeByTarget[target.name, default: 0] += 1
        return (nextID, target)
    }

    private mutating func pick(for port: RouterPort) -> RouterEndpoint? {
        switch port {
        case .readWrite:
            return targets.primary
        case .readOnly:
            guard !targets.replicas.isEmpty else { return targets.primary }
            let replica = targets.replicas[nextReplica % targets.replicas.count]
            nextReplica = (nextReplica + 1) % targets.replicas.count
            return replica
        }
    }

    /// Installs new targets and returns the open connections that must close now: every
    /// connection (either port) to a demoted primary, read-write ones not on the primary,
    /// read-only ones on neither a healthy replica nor the primary. Same targets: no-op.
    mutating func update(_ new: RouterTargets) -> [ConnectionID] {
        guard new != targets else { return [] }
        let demoted = targets.primary == new.primary ? nil : targets.primary
        let readable = Set(new.replicas + (new.primary.map { [$0] } ?? []))
        targets = new
        var evicted: [ConnectionID] = []
        for (id, route) in routes where !route.evicted {
            let keep = switch route.port {
            case .readWrite: route.target == new.primary
            case .readOnly: route.target != demoted && readable.contains(route.target)
            }
            if !keep {
                routes[id]?.evicted = true
                stats[route.port].closedByRoleChange += 1
                evicted.append(id)
            }
        }
        return evicted
    }

    mutating func connectFailed(_ id: ConnectionID) {
        guard let route = routes[id] else { return }
        stats[route.port].connectFailed += 1
    }

    /// The connection has closed on both sides.
    mutating func finish(_ id: ConnectionID) {
        guard let route = routes.removeValue(forKey: id) else { return }
        stats[route.port].active -= 1
        let name = route.target.name
        let left = (stats[route.port].activeByTarget[name] ?? 1) - 1
        stats[route.port].activeByTarget[name] = left > 0 ? left : nil
    }

    mutating func addBytes(on port: RouterPort, fromClient: Int, fromBackend: Int) {
        stats[port].bytesIn += fromClient
        stats[port].bytesOut += fromBackend
    }
}
