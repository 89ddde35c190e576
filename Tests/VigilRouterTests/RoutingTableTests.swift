import Testing
@testable import VigilRouter

/// The routing rules as a pure value, without sockets.
@Suite struct RoutingTableTests {
    let a = RouterEndpoint(name: "a", host: "127.0.0.1", port: 3306)
    let b = RouterEndpoint(name: "b", host: "127.0.0.1", port: 3307)
    let c = RouterEndpoint(name: "c", host: "127.0.0.1", port: 3308)

    @Test func readWriteGoesToThePrimary() {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: [b, c]))
        #expect(table.admit(on: .readWrite)?.target == a)
        #expect(table.admit(on: .readWrite)?.target == a)
        #expect(table.stats.readWrite.activeByTarget == ["a": 2])
    }

    @Test func readOnlyRoundRobinsThenFallsBackToThePrimary() {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: [b, c]))
        let picks = (0..<5).compactMap { _ in table.admit(on: .readOnly)?.target.name }
        #expect(picks == ["b", "c", "b", "c", "b"])
        _ = table.update(RouterTargets(primary: a, replicas: []))
        #expect(table.admit(on: .readOnly)?.target == a)
    }

    @Test func noTargetRefusesAndCounts() {
        var table = RoutingTable()
        #expect(table.admit(on: .readWrite) == nil)
        #expect(table.admit(on: .readOnly) == nil)
        #expect(table.stats.readWrite.accepted == 1 && table.stats.readWrite.refused == 1)
        #expect(table.stats.readOnly.refused == 1 && table.stats.readOnly.active == 0)
    }

    @Test func demotedPrimaryLosesItsConnectionsOnBothPorts() throws {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: []))
        let write = try table.admitted(on: .readWrite)
        let read = try table.admitted(on: .readOnly)  // primary as fallback
        // a is demoted and listed as a healthy replica: still every connection to it goes.
        let evicted = table.update(RouterTargets(primary: b, replicas: [a]))
        #expect(Set(evicted) == [write, read])
        #expect(table.admit(on: .readWrite)?.target == b)
        #expect(table.stats.readWrite.closedByRoleChange == 1 && table.stats.readOnly.closedByRoleChange == 1)
    }

    @Test func removedReplicaLosesReadOnlyConnectionsOnly() throws {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: [b, c]))
        let write = try table.admitted(on: .readWrite)
        let onB = try table.admitted(on: .readOnly)
        let onC = try table.admitted(on: .readOnly)
        #expect(table.update(RouterTargets(primary: a, replicas: [c])) == [onB])
        #expect(table.route(write)?.evicted == false && table.route(onC)?.evicted == false)
    }

    @Test func promotedReplicaKeepsItsReadOnlyConnections() throws {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: [b]))
        let onB = try table.admitted(on: .readOnly)
        let onA = try table.admitted(on: .readWrite)
        #expect(table.update(RouterTargets(primary: b, replicas: [])) == [onA])
        #expect(table.route(onB)?.evicted == false)
    }

    @Test func updateIsIdempotentAndEvictsOnce() throws {
        let targets = RouterTargets(primary: a, replicas: [b])
        var table = RoutingTable(targets: targets)
        let id = try table.admitted(on: .readWrite)
        #expect(table.update(targets).isEmpty)
        #expect(table.update(RouterTargets(primary: nil, replicas: [b])) == [id])
        #expect(table.update(RouterTargets(primary: c, replicas: [b])).isEmpty)  // already closing
        #expect(table.stats.readWrite.closedByRoleChange == 1)
        #expect(table.admit(on: .readWrite)?.target == c)
    }

    @Test func finishReleasesCounts() throws {
        var table = RoutingTable(targets: RouterTargets(primary: a, replicas: [b]))
        let first = try table.admitted(on: .readOnly)
        let second = try table.admitted(on: .readOnly)
        table.connectFailed(second)
        table.finish(first)
        table.finish(second)
        table.finish(second)  // twice is harmless
        #expect(table.stats.readOnly.active == 0)
        #expect(table.stats.readOnly.activeByTarget.isEmpty)
        #expect(table.stats.readOnly.connectFailed == 1 && table.stats.readOnly.accepted == 2)
    }

    @Test func loopbackLiteralsOnly() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1"] {
            #expect(RouterConfiguration.isLoopbackLiteral(host), "\(host)")
        }
        for host in ["0.0.0.0", "10.0.0.1", "localhost", "::", "fe80::1", "", "127.0.0", "127.0.0.256", "128.0.0.1"] {
            #expect(!RouterConfiguration.isLoopbackLiteral(host), "\(host)")
        }
    }
}

private struct Refused: Error {}

extension RoutingTable {
    /// The new connection's id, or a thrown error if it was refused.
    fileprivate mutating func admitted(on port: RouterPort) throws -> ConnectionID {
        guard let admitted = admit(on: port) else { throw Refused() }
        return admitted.id
    }
}
