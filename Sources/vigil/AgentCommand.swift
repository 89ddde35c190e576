import ArgumentParser
import Foundation
import Logging
import VigilAgent
import VigilLocal

/// `vigil agent --config PATH`: the sidecar beside one instance (role probe, sidecar API,
/// exporter, heartbeats, peer pings, self-fencing). Secrets come from the config file only.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent for one database instance (started by `vigil local`, or as a sidecar).")

    @Option(help: "The agent's JSON configuration (mode 0600: it holds the admin password and the shared token).")
    var config: String

    func run() async throws {
        var logger = Logger(label: "vigil.agent")
        logger.logLevel = .info
        let task = Task { try await AgentMain.run(configPath: config, logger: logger) }
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { task.cancel() }
        defer { signals.cancel() }
        do {
            try await task.value
        } catch is CancellationError {
            return
        } catch {
            FileHandle.standardError.write(Data("vigil agent: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
