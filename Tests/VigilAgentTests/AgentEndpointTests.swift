import Foundation
import Testing
import VigilAgent
import VigilCore
import VigilHTTP
import VigilTestSupport

@Suite("Agent endpoints", .serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct AgentEndpointTests {
    @Test("health, status, peer ping, getrole, metrics; mutating calls need the token")
    func endpoints() async throws {
        try await withMariaDB { server in
            try await prepareAppSchema(server)
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }
            await controller.set(.answer(ControllerWord(term: 3, primary: "db-1", primaryMayWrite: true)))
            try await withAgent(agentConfig(server: server, controller: controllerURL)) { _, ports in
                let sidecar = "http://127.0.0.1:\(ports.sidecar)"
                try await eventually("writable primary") { try await role(ports) == .primary }
                try await eventually("an observation after the unfence") { try await status(ports).readOnly == false }

                // /health
                let health = try await get("\(sidecar)\(AgentAPI.healthPath)")
                #expect(health.status == 200)
                #expect(try AgentAPI.decode(HealthReply.self, from: health.body) == HealthReply(agent: "ok", mysqld: "running"))

                // /status
                let state = try await status(ports)
                #expect(state.instance == "db-1")
                #expect(state.role == .primary)
                #expect(state.readOnly == false)
                #expect(state.fence == "unfenced")
                #expect(state.fenceReason == nil)
                #expect(state.term == 3)
                #expect(state.believedPrimary == "db-1")
                #expect(state.server == "running")
                #expect(state.executedGTIDs != nil)
                #expect(state.replica == nil)
                let lease = try #require(state.leaseRemainingSeconds)
                #expect(lease > 0 && lease <= 2)
                #expect(state.observedAt?.contains("T") == true)
                #expect(state.controllerProblem == nil)
                #expect((state.controllerAnsweredSecondsAgo ?? 99) < 1)
                let statusText = try await get("\(sidecar)\(AgentAPI.statusPath)").text
                #expect(!statusText.contains(server.rootPassword))
                #expect(!statusText.contains(testToken))

                // /peer/ping: signed with the shared token, vouches for the controller's primary.
                let ping = try await get("\(sidecar)\(AgentAPI.peerPingPath)")
                #expect(ping.status == 200)
                #expect(AgentAPI.verify(body: ping.body, signature: ping.header(AgentAPI.signatureHeader), token: testToken))
                #expect(!AgentAPI.verify(body: ping.body, signature: ping.header(AgentAPI.signatureHeader), token: "other"))
                #expect(try AgentAPI.decode(PeerVouch.self, from: ping.body) == PeerVouch(term: 3, primary: "db-1"))

                // /v1.0/getrole
                let roleResponse = try await get("http://127.0.0.1:\(ports.roleProbe)\(AgentAPI.rolePath)")
                let roleReply = try AgentAPI.decode(RoleReply.self, from: roleResponse.body)
                #expect(roleReply.role == .primary)
                #expect(roleReply.observedAt != nil)
                #expect(roleResponse.text.hasPrefix("{\"") && roleResponse.text.contains("\"role\":\"primary\""))

                // /metrics
                let metrics = try await get("http://127.0.0.1:\(ports.metrics)\(AgentAPI.metricsPath)")
                #expect(metrics.status == 200)
                #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
                let samples = try PrometheusText.parse(metrics.text)
                let names = Set(samples.map(\.name))
                let required = [
                    "mysql_up", "vigil_instance_role", "mysql_global_variables_read_only",
                    "mysql_slave_status_seconds_behind_master", "mysql_slave_status_slave_io_running",
                    "mysql_slave_status_slave_sql_running", "mysql_gtid_executed_transactions",
                    "mysql_global_status_threads_connected", "mysql_global_status_threads_running",
                    "mysql_global_status_queries_total", "mysql_global_status_bytes_received_total",
                    "mysql_global_status_bytes_sent_total", "mysql_global_status_uptime_seconds", "vigil_agent_fenced",
                    "vigil_agent_lease_remaining_seconds", "vigil_agent_term", "vigil_agent_heartbeats_total",
                ]
                for name in required { #expect(names.contains(name), "missing \(name)") }
                #expect(PrometheusText.value(in: metrics.text, name: "mysql_up") == 1)
                #expect(PrometheusText.value(in: metrics.text, name: "vigil_instance_role", labels: ["role": "primary"]) == 1)
                #expect(PrometheusText.value(in: metrics.text, name: "vigil_instance_role", labels: ["role": "fenced"]) == 0)
                #expect(PrometheusText.value(in: metrics.text, name: "vigil_agent_term") == 3)
                #expect(PrometheusText.value(in: metrics.text, name: "mysql_global_variables_read_only") == 0)
                #expect((PrometheusText.value(in: metrics.text, name: "mysql_global_status_queries_total") ?? 0) > 0)
                #expect((PrometheusText.value(in: metrics.text, name: "vigil_agent_heartbeats_total", labels: ["result": "ok"]) ?? 0) > 0)
                #expect(throws: PrometheusText.FormatError.self) { try PrometheusText.parse("bad-name 1\n") }
                #expect(throws: PrometheusText.FormatError.self) { try PrometheusText.parse("ok{l=unquoted} 1\n") }

                // Mutating calls without (or with a wrong) token: 401, empty body, nothing changes.
                for token in [nil, "wrong-token"] as [String?] {
                    for path in [AgentAPI.fencePath, AgentAPI.unfencePath, AgentAPI.pokePath] {
                        let denied = try await post("\(sidecar)\(path)", token: token)
                        #expect(denied.status == 401, "\(path)")
                        #expect(denied.body.isEmpty)
                    }
                }
                #expect(try await serverReadOnly(server) == false)
                #expect(await insertAsApp(server) == .inserted)

                // Poke and unfence with the token.
                let poked = try await post("\(sidecar)\(AgentAPI.pokePath)", token: testToken)
                #expect(poked.status == 202)
                let unfenced = try await post("\(sidecar)\(AgentAPI.unfencePath)", token: testToken)
                #expect(unfenced.status == 200)
                #expect(AgentAPI.verify(body: unfenced.body, signature: unfenced.header(AgentAPI.signatureHeader), token: testToken))
                #expect(try AgentAPI.decode(StatusReply.self, from: unfenced.body).term == 3)

                // Fence with the token: read_only ON, client connections killed.
                let fenced = try await post("\(sidecar)\(AgentAPI.fencePath)", token: testToken)
                #expect(fenced.status == 200)
                #expect(try AgentAPI.decode(StatusReply.self, from: fenced.body).readOnly == true)
                #expect(try await serverReadOnly(server))
                #expect(await insertAsApp(server) == .refusedReadOnly)
                try await eventually("getrole fenced") { try await role(ports) == .fenced }
            }
        }
    }
}
