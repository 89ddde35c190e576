import Logging

/// Entry point for `vigil agent --config PATH`: load the configuration, run the agent until
/// the calling task is cancelled (the caller maps SIGTERM / SIGINT to cancellation).
public enum AgentMain {
    public static func run(configPath: String, logger: Logger = Logger(label: "vigil.agent")) async throws {
        let config = try AgentConfig.load(path: configPath)
        logger.info("configuration loaded", metadata: ["config": "\(config)"])
        let agent = Agent(config: config, logger: logger)
        try await agent.run()
    }
}
