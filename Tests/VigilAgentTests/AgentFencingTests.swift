import Foundation
import Testing
import VigilAgent
import VigilCore
import VigilTestSupport

/// Self-fencing against a real mariadbd, with a fake controller (and a fake peer) whose
/// answers the tests control.
@Suite("Agent self-fencing", .serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct AgentFencingTests {
    @Test("fences at start; the controller's word lifts it; silence fences within the lease; a deposed primary stays fenced")
    func startPromoteSilenceDepose() async throws {
        #expect(testLease.problems.isEmpty)
        try await withMariaDB { server in
            try await prepareAppSchema(server)
            #expect(try await serverReadOnly(server) == false)  // the fixture starts writable
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }

            try await withAgent(agentConfig(server: server, controller: controllerURL)) { _, ports in
                // 1. Fence first: nobody has said this instance may write.
                try await eventually("read_only ON after start") { try await serverReadOnly(server) }
                #expect(await insertAsApp(server) == .refusedReadOnly)

                // The controller names it primary with writes allowed: the fence lifts.
                await controller.set(.answer(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
                try await eventually("read_only OFF on the controller's word", timeout: .seconds(5)) {
                    try await !serverReadOnly(server)
                }
                try await eventually("getrole primary") { try await role(ports) == .primary }
                #expect(await insertAsApp(server) == .inserted)

                // 2. The controller goes silent (and there are no peers): writes refused within lease + 1 s.
                await controller.set(.silent)
                let silentSince = ContinuousClock.now
                try await eventually("writes refused after the lease", timeout: testLease.leaseTimeout + .seconds(3),
                                     interval: .milliseconds(10)) {
                    await insertAsApp(server) == .refusedReadOnly
                }
                let fencedAfter = ContinuousClock.now - silentSince
                print("fenced \(fencedAfter) after the controller went silent (lease \(testLease.leaseTimeout))")
                #expect(fencedAfter <= testLease.leaseTimeout + .seconds(1))
                #expect(fencedAfter >= testLease.leaseTimeout - testLease.probeInterval * 2)

                // Back with a newer term naming another primary: this one stays fenced.
                let back = ContinuousClock.now
                await controller.set(.answer(ControllerWord(term: 2, primary: "db-2", primaryMayWrite: true)))
                try await eventually("the agent reports term 2") {
                    await controller.reports(since: back).contains { $0.report.term == 2 }
                }
                try await holds("stays fenced after being deposed", for: .seconds(1)) {
                    try await serverReadOnly(server)
                }
                #expect(await insertAsApp(server) == .refusedReadOnly)
                #expect(try await role(ports) == .fenced)
                let report = try #require(await controller.lastReport)
                #expect(report.believedPrimary == "db-2")
                #expect(report.fence == .fenced)
            }
        }
    }

    @Test("a peer vouching for the primary in the same term keeps it writable without the controller")
    func peerKeepsPrimaryWritable() async throws {
        try await withMariaDB { server in
            try await prepareAppSchema(server)
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            let peer = FakePeer(token: testToken)
            let peerURL = try await peer.start()
            defer { Task { await controller.stop(); await peer.stop() } }

            let config = agentConfig(server: server, controller: controllerURL,
                                     peers: [AgentConfig.Peer(name: "db-2", sidecar: peerURL)])
            try await withAgent(config) { _, ports in
                await controller.set(.answer(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
                try await eventually("writable on the controller's word") { try await !serverReadOnly(server) }
                await peer.set(PeerVouch(term: 1, primary: "db-1"))
                try await eventually("the peer answered") { await peer.pings > 1 }

                await controller.set(.silent)
                try await holds("writable past the lease thanks to the peer",
                                for: testLease.leaseTimeout + .seconds(1)) {
                    try await !serverReadOnly(server)
                }
                #expect(await insertAsApp(server) == .inserted)
                #expect(try await role(ports) == .primary)
                let seen = try await status(ports).peers["db-2"]
                #expect(seen?.vouchesFor == "db-1")
                #expect((seen?.lastAnswerSecondsAgo ?? 99) < 1)

                // The peer stops vouching: the lease runs out.
                await peer.set(PeerVouch(term: 1, primary: nil))
                let since = ContinuousClock.now
                try await eventually("fenced once nobody vouches", timeout: testLease.leaseTimeout + .seconds(3)) {
                    try await serverReadOnly(server)
                }
                #expect(ContinuousClock.now - since <= testLease.leaseTimeout + .seconds(1))
            }
        }
    }

    @Test("a controller word with a bad signature is ignored: the agent stays fenced")
    func badSignatureIgnored() async throws {
        try await withMariaDB { server in
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }
            await controller.set(.badSignature(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
            try await withAgent(agentConfig(server: server, controller: controllerURL)) { _, ports in
                try await eventually("fenced at start") { try await serverReadOnly(server) }
                let since = ContinuousClock.now
                try await eventually("several forged words delivered") {
                    await controller.reports(since: since).count >= 4
                }
                try await holds("stays fenced", for: .milliseconds(500)) { try await serverReadOnly(server) }
                let state = try await status(ports)
                #expect(state.term == 0)
                #expect(state.fence == "fenced")
                #expect(state.role == .fenced)
                #expect(state.controllerProblem?.contains("signature") == true)
                #expect(state.controllerAnsweredSecondsAgo == nil)
                let metrics = try await get("http://127.0.0.1:\(ports.metrics)\(AgentAPI.metricsPath)").text
                let forged = try #require(PrometheusText.value(in: metrics, name: "vigil_agent_heartbeats_total",
                                                               labels: ["result": "unauthenticated"]))
                #expect(forged >= 4)
            }
        }
    }

    @Test("kill -9 of mysqld reaches the controller within about a probe")
    func killedServerIsReportedFast() async throws {
        try await withMariaDB { server in
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }
            await controller.set(.answer(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
            let config = agentConfig(server: server, controller: controllerURL, pidFile: server.pidFilePath)
            try await withAgent(config) { _, ports in
                try await eventually("writable primary") { try await role(ports) == .primary }
                let killedAt = ContinuousClock.now
                #expect(server.kill(signal: SIGKILL))
                let report = try await eventually("a report of the dead server", timeout: .seconds(5),
                                                  interval: .milliseconds(5)) { () async -> FakeController.Received? in
                    await controller.reports(since: killedAt).first { $0.report.server.isDown }
                }
                let delay = report.at - killedAt
                print("controller heard \(report.report.server) \(delay) after SIGKILL")
                #expect(delay <= .milliseconds(1500))
                let health = try await get("http://127.0.0.1:\(ports.sidecar)\(AgentAPI.healthPath)")
                let reply = try AgentAPI.decode(HealthReply.self, from: health.body)
                #expect(["exited", "refused"].contains(reply.mysqld))
                #expect(try await role(ports) == .unknown)
            }
        }
    }
}
