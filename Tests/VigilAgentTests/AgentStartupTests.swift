import Foundation
import Testing
import VigilAgent
import VigilCore
import VigilHTTP
import VigilTestSupport

@Suite("Agent start-up", .serialized)
struct AgentStartupTests {
    @Test("a port in use is a clear error naming it, and nothing is left listening")
    func portInUse() async throws {
        let occupied = try await RawTCPServer.occupy()
        let rolePort = try MariaDBServer.freePort()
        let metricsPort = try MariaDBServer.freePort()
        let mysqlPort = try MariaDBServer.freePort()  // nothing there: the agent must not need it to fail
        let config = AgentConfig(
            instance: "db-1", flavor: .mariadb,
            mysql: AgentConfig.MySQL(host: "127.0.0.1", port: mysqlPort, user: "vigil_admin", password: "secret-pw"),
            controller: "http://127.0.0.1:1",
            listen: AgentConfig.Listen(host: "127.0.0.1", roleProbePort: rolePort, sidecarPort: occupied.port, metricsPort: metricsPort),
            token: testToken, lease: testLease)
        let agent = Agent(config: config, logger: testLogger())
        do {
            try await agent.run()
            Issue.record("run() must fail when a port is taken")
        } catch let error as AgentError {
            #expect(error == .portInUse(listener: "sidecar", host: "127.0.0.1", port: occupied.port))
            #expect(error.description.contains("port \(occupied.port)"))
        }
        // Nothing left behind: the other two ports refuse connections.
        for port in [rolePort, metricsPort] {
            await #expect(throws: HTTPClientError.connectionRefused(endpoint: "http://127.0.0.1:\(port)/")) {
                _ = try await HTTPClient.request(url: "http://127.0.0.1:\(port)/", timeout: .seconds(1))
            }
        }
        #expect(await agent.boundPorts == nil)
        await occupied.stop()
    }

    @Test("run() refuses an invalid configuration before binding anything")
    func invalidConfigurationRefused() async throws {
        let config = AgentConfig(
            instance: "", flavor: .mariadb, mysql: AgentConfig.MySQL(user: "u", password: "p"),
            controller: "not-a-url", token: "", lease: LeaseContract(leaseTimeout: .seconds(1), probeInterval: .seconds(1)))
        await #expect(throws: AgentError.self) { try await Agent(config: config, logger: testLogger()).run() }
        #expect(!config.problems.isEmpty)
    }

    @Test("cancellation stops the agent and frees its ports")
    func cancellationStops() async throws {
        let config = AgentConfig(
            instance: "db-1", flavor: .mariadb,
            mysql: AgentConfig.MySQL(host: "127.0.0.1", port: try MariaDBServer.freePort(), user: "u", password: "p"),
            controller: "http://127.0.0.1:\(try MariaDBServer.freePort())",
            listen: AgentConfig.Listen(host: "127.0.0.1", roleProbePort: 0, sidecarPort: 0, metricsPort: 0),
            token: testToken, lease: testLease)
        let ports = try await withAgent(config) { _, ports in
            // mysqld is not there: the role probe says unknown, health says refused.
            try await eventually("health refused") {
                let reply = try AgentAPI.decode(HealthReply.self,
                                                from: try await get("http://127.0.0.1:\(ports.sidecar)\(AgentAPI.healthPath)").body)
                return reply.mysqld == "refused"
            }
            #expect(try await role(ports) == .unknown)
            return ports
        }
        for port in [ports.roleProbe, ports.sidecar, ports.metrics] {
            await #expect(throws: HTTPClientError.connectionRefused(endpoint: "http://127.0.0.1:\(port)/")) {
                _ = try await HTTPClient.request(url: "http://127.0.0.1:\(port)/", timeout: .seconds(1))
            }
        }
    }
}
