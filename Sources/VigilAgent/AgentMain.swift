import Logging
import NIOCore

/// Entry point for `vigil agent --config PATH`: load the configuration, run the agent until
/// the calling task is cancelled (the caller maps SIGTERM / SIGINT to cancellation).
public enum AgentMain {
    /// How long after start the agent gives back what only its start needed (`StartupPages`).
    static let settleTime = Duration.seconds(5)

    /// Call once per process, first thing, before anything uses SwiftNIO. The agent's few
    /// connections need one event-loop thread, not one per core (each costs a stack and a
    /// malloc arena). Loading the binary and parsing arguments is done by now: their pages go.
    public static func prepareProcess() {
        NIOSingletons.groupLoopCountSuggestion = 1
        StartupPages.release()
    }

    public static func run(configPath: String, overrides: AgentOverrides = AgentOverrides(),
                           logger: Logger = Logger(label: "vigil.agent")) async throws {
        var config = try AgentConfig.load(path: configPath)
        overrides.apply(to: &config)
        logger.info("configuration loaded", metadata: ["config": "\(config)"])
        let agent = Agent(config: config, logger: logger)
        // Start-up pages go in steps (here, once the listeners are bound, once settled) so that
        // the resident set never holds all of them at once: each step touches its own.
        StartupPages.release()
        let settle = Task {
            try await Task.sleep(for: settleTime)
            let bytes = StartupPages.release()
            logger.debug("released start-up pages", metadata: ["kB": "\(bytes / 1024)"])
        }
        defer { settle.cancel() }
        try await agent.run(releasingStartupPages: true)
    }
}

/// Per-pod values a shared configuration cannot hold (on Kubernetes the pod IP is known only
/// at start: `--listen-host $(POD_IP)`).
public struct AgentOverrides: Sendable {
    public var listenHost: String?
    public var mysqlHost: String?
    public var pidFile: String?

    public init(listenHost: String? = nil, mysqlHost: String? = nil, pidFile: String? = nil) {
        self.listenHost = listenHost
        self.mysqlHost = mysqlHost
        self.pidFile = pidFile
    }

    public func apply(to config: inout AgentConfig) {
        if let listenHost { config.listen.host = listenHost }
        if let mysqlHost { config.mysql.host = mysqlHost }
        if let pidFile { config.pidFile = pidFile }
    }
}
