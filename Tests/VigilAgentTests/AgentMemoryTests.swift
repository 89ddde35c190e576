import Foundation
import Testing
import VigilAgent
import VigilCore
import VigilTestSupport

/// Measures the resident set of the agent as its own process (the scratch `agent-rss`
/// executable) beside one real mariadbd. Runs only with AGENT_BINARY=/path/to/agent-rss.
@Suite("Agent memory", .enabled(if: ProcessInfo.processInfo.environment["AGENT_BINARY"] != nil && MariaDBServer.isAvailable))
struct AgentMemoryTests {
    @Test func residentSet() async throws {
        let binary = try #require(ProcessInfo.processInfo.environment["AGENT_BINARY"])
        try await withMariaDB { server in
            let controller = FakeController(token: testToken)
            let controllerURL = try await controller.start()
            defer { Task { await controller.stop() } }
            await controller.set(.answer(ControllerWord(term: 1, primary: "db-1", primaryMayWrite: true)))
            let ports = AgentConfig.Listen(host: "127.0.0.1", roleProbePort: try MariaDBServer.freePort(),
                                           sidecarPort: try MariaDBServer.freePort(), metricsPort: try MariaDBServer.freePort())
            let config = agentConfig(server: server, controller: controllerURL, pidFile: server.pidFilePath, listen: ports)
            let path = NSTemporaryDirectory() + "agent-rss-\(UUID().uuidString).json"
            #expect(FileManager.default.createFile(atPath: path, contents: try JSONEncoder().encode(config),
                                                   attributes: [.posixPermissions: 0o600]))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            let bound = Agent.BoundPorts(host: "127.0.0.1", roleProbe: ports.roleProbePort, sidecar: ports.sidecarPort,
                                         metrics: ports.metricsPort)
            try await eventually("the agent process serves a writable primary", timeout: .seconds(20)) {
                (try? await role(bound)) == .primary
            }
            // Exercise every endpoint for a while, like a kubelet and a Prometheus would.
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(5) {
                _ = try await get("http://127.0.0.1:\(ports.metricsPort)\(AgentAPI.metricsPath)")
                _ = try await status(bound)
                _ = try await role(bound)
                try await Task.sleep(for: .milliseconds(100))
            }
            let statusText = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
            let rss = statusText.split(separator: "\n").first { $0.hasPrefix("VmRSS") } ?? "VmRSS: ?"
            let hwm = statusText.split(separator: "\n").first { $0.hasPrefix("VmHWM") } ?? "VmHWM: ?"
            print("agent process \(process.processIdentifier): \(rss), \(hwm)")
            // AGENT_HOLD_SECONDS=N keeps the process up for inspection (smaps) from outside.
            if let hold = ProcessInfo.processInfo.environment["AGENT_HOLD_SECONDS"].flatMap(Int.init) {
                try await Task.sleep(for: .seconds(hold))
            }
            let kb = Int(rss.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "") ?? 0
            #expect(kb > 0 && kb < 30 * 1024, "RSS \(kb) kB")
            process.terminate()
            process.waitUntilExit()
        }
    }
}
