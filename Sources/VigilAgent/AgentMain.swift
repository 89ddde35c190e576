import Logging

/// Entry point for `vigil agent --config PATH`: load the configuration, run the agent until
/// the calling task is cancelled (the caller maps SIGTERM / SIGINT to cancellation).
public enum AgentMain {
    public static func run(configPath: String, overrides: AgentOverrides = AgentOverrides(),
                           logger: Logger = Logger(label: "vigil.agent")) async throws {
        var config = try AgentConfig.load(path: configPath)
        overrides.apply(to: &config)
        logger.info("configuration loaded", metadata: ["config": "\(config)"])
        let agent = Agent(config: config, logger: logger)
        try await agent.run()
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
