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

    @Option(help: "Listen on this address instead of the configuration's (e.g. the pod IP).")
    var listenHost: String?

    @Option(help: "Reach mysqld at this host instead of the configuration's.")
    var mysqlHost: String?

    @Option(help: "mysqld's pid file, instead of the configuration's.")
    var pidFile: String?

    func run() async throws {
        AgentMain.prepareProcess()
        var logger = Logger(label: "vigil.agent")
        logger.logLevel = .info
        let (config, listenHost, mysqlHost, pidFile) = (config, listenHost, mysqlHost, pidFile)
        let task = Task { try await AgentMain.run(
            configPath: config, overrides: AgentOverrides(listenHost: listenHost, mysqlHost: mysqlHost, pidFile: pidFile),
            logger: logger) }
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
