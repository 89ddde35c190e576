import Testing
import VigilRouter

/// Which backend a connection reaches, and what an update does to open connections.
@Suite struct RouterRoutingTests {
    @Test func readWriteGoesToThePrimaryAndEchoes() async throws {
        try await withBackends(["a", "b"]) { backends in
            let targets = RouterTargets(primary: backends[0].endpoint, replicas: [backends[1].endpoint])
            try await withRouter(targets: targets) { router in
                #expect(router.readWriteAddress == "127.0.0.1:\(router.readWritePort)")
                #expect(router.readWritePort != 0 && router.readOnlyPort != 0)
                for _ in 0..<3 {
                    let (client, tag) = try await connectTagged(router.readWritePort)
                    #expect(tag == "a")
                    try await client.send(Array("ping".utf8))
                    try await eventually("echo") { client.received == Array("a\nping".utf8) }
                    await client.close()
                }
            }
        }
    }

    @Test func readOnlyRoundRobinsAcrossReplicasThenFallsBackToThePrimary() async throws {
        try await withBackends(["a", "b", "c"]) { backends in
            let (a, b, c) = (backends[0].endpoint, backends[1].endpoint, backends[2].endpoint)
            try await withRouter(targets: RouterTargets(primary: a, replicas: [b, c])) { router in
                var tags: [String] = []
                for _ in 0..<4 {
                    let (client, tag) = try await connectTagged(router.readOnlyPort)
                    tags.append(tag)
                    await client.close()
                }
                #expect(tags == ["b", "c", "b", "c"])

                router.update(RouterTargets(primary: a, replicas: []))
                let (client, tag) = try await connectTagged(router.readOnlyPort)
                #expect(tag == "a")
                await client.close()
            }
        }
    }

    @Test func roleChangeMovesNewConnectionsAndClosesThoseToTheDemotedPrimary() async throws {
        try await withBackends(["a", "b"]) { backends in
            let (a, b) = (backends[0].endpoint, backends[1].endpoint)
            try await withRouter(targets: RouterTargets(primary: a, replicas: [])) { router in
                let (writer, writerTag) = try await connectTagged(router.readWritePort)
                let (fallbackReader, fallbackTag) = try await connectTagged(router.readOnlyPort)
                router.update(RouterTargets(primary: a, replicas: [b]))
                let (reader, readerTag) = try await connectTagged(router.readOnlyPort)
                #expect([writerTag, fallbackTag, readerTag] == ["a", "a", "b"])

                // b is promoted; a is demoted but healthy, so it is now a replica.
                router.update(RouterTargets(primary: b, replicas: [a]))
                try await eventually("EOF on the demoted primary's connections") {
                    writer.isClosed && fallbackReader.isClosed
                }
                try await eventually("the demoted primary's backend connections closed") {
                    backends[0].openConnections == 0
                }
                let (newWriter, newTag) = try await connectTagged(router.readWritePort)
                #expect(newTag == "b")

                // The read-only connection to b (now the primary) stays usable.
                try await reader.send(Array("still here".utf8))
                try await eventually("echo on the kept connection") { reader.received == Array("b\nstill here".utf8) }
                #expect(!reader.isClosed)
                #expect(router.stats.readWrite.closedByRoleChange == 1)
                #expect(router.stats.readOnly.closedByRoleChange == 1)
                await newWriter.close()
                await reader.close()
            }
        }
    }

    @Test func replicaLeavingTheHealthySetLosesItsReadOnlyConnections() async throws {
        try await withBackends(["a", "b", "c"]) { backends in
            let (a, b, c) = (backends[0].endpoint, backends[1].endpoint, backends[2].endpoint)
            try await withRouter(targets: RouterTargets(primary: a, replicas: [b, c])) { router in
                let (onB, tagB) = try await connectTagged(router.readOnlyPort)
                let (onC, tagC) = try await connectTagged(router.readOnlyPort)
                let (writer, _) = try await connectTagged(router.readWritePort)
                #expect([tagB, tagC] == ["b", "c"])

                router.update(RouterTargets(primary: a, replicas: [c]))
                try await eventually("EOF on the removed replica's connection") { onB.isClosed }
                for _ in 0..<2 {
                    let (client, tag) = try await connectTagged(router.readOnlyPort)
                    #expect(tag == "c")
                    await client.close()
                }
                try await onC.send([1, 2, 3])
                try await writer.send([4])
                try await eventually("both kept connections echo") {
                    onC.received.suffix(3) == [1, 2, 3] && writer.received.suffix(1) == [4]
                }
                await onC.close()
                await writer.close()
            }
        }
    }

    @Test func repeatingTheSameTargetsClosesNothing() async throws {
        try await withBackends(["a"]) { backends in
            let targets = RouterTargets(primary: backends[0].endpoint)
            try await withRouter(targets: targets) { router in
                let (client, _) = try await connectTagged(router.readWritePort)
                router.update(targets)
                router.update(targets)
                try await client.send([42])
                try await eventually("echo after no-op updates") { client.received.last == 42 }
                #expect(!client.isClosed)
                #expect(router.targets == targets)
                #expect(router.stats.readWrite.closedByRoleChange == 0)
                await client.close()
            }
        }
    }
}
