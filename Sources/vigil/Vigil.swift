import Foundation
import ArgumentParser

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Highly-available MySQL / MariaDB: operator, agent, local groups and tools.",
        version: "0.1.0",
        // `vigil chaos` is `vigil local chaos`: faults are injected into a local group.
        subcommands: [SQLCommand.self, LocalCommand.self, AgentCommand.self, VerifyCommand.self, LocalCommand.Chaos.self,
                      ManifestsCommand.self,
                      OperatorCommand.self, KubectlCommand.self]
    )

    /// Exit codes per DESIGN.md: 0 success, 1 the operation failed, 2 bad usage
    /// (ArgumentParser's own usage code is 64).
    static func main() async {
        do {
            // Installed as the kubectl plugin `kubectl-vigil`: `kubectl vigil status` runs
            // `vigil kubectl status`.
            var arguments = Array(CommandLine.arguments.dropFirst())
            if URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent == "kubectl-vigil" {
                arguments.insert("kubectl", at: 0)
            }
            var command = try parseAsRoot(arguments)
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
