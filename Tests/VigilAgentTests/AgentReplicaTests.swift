import Foundation
import Testing
import VigilAgent
import VigilCore
import VigilEngine
import VigilMySQL
import VigilTestSupport

@Suite("Agent on a replica", .serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct AgentReplicaTests {
    @Test("a replica reports role replica, its threads and whether it reaches the primary")
    func replicaRole() async throws {
        try await withMariaDBGroup(count: 2) { servers in
            let (source, replica) = (servers[0], servers[1])
            let connection = try await rootConnection(replica)
            let ops = try InstanceOperations(instance: "db-2", connection: connection)
            try await ops.repoint(
                to: ReplicationSource(host: source.host, port: source.port),
                credentials: ReplicationCredentials(user: source.rootUser, password: source.rootPassword))
            await connection.close()

            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }
            await controller.set(.answer(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
            try await withAgent(agentConfig(server: replica, controller: controllerURL, instance: "db-2")) { _, ports in
                try await eventually("getrole replica") { try await role(ports) == .replica }
                try await eventually("IO thread connected") { try await status(ports).replica?.ioThread == "yes" }
                let state = try await status(ports)
                #expect(state.replica?.source == "127.0.0.1:\(source.port)")
                #expect(state.replica?.sqlThreadRunning == true)
                #expect(state.lagSeconds != nil)
                #expect(state.believedPrimary == "db-1")
                #expect(try await serverReadOnly(replica))  // not the primary: fenced
                try await eventually("reports say the primary is reachable") {
                    await controller.lastReport?.primaryReachable == true
                }
                let metrics = try await get("http://127.0.0.1:\(ports.metrics)\(AgentAPI.metricsPath)").text
                #expect(PrometheusText.value(in: metrics, name: "mysql_slave_status_slave_io_running") == 1)
                #expect(PrometheusText.value(in: metrics, name: "mysql_slave_status_slave_sql_running") == 1)
                #expect(PrometheusText.value(in: metrics, name: "vigil_instance_role", labels: ["role": "replica"]) == 1)

                // The primary dies: the replica's IO thread loses it, and the controller hears so.
                #expect(source.kill(signal: SIGKILL))
                try await eventually("reports say the primary is unreachable", timeout: .seconds(30)) {
                    await controller.lastReport?.primaryReachable == false
                }
                #expect(try await role(ports) == .replica)
            }
        }
    }
}
