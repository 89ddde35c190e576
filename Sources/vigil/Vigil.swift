import ArgumentParser

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Highly-available MySQL / MariaDB: operator, agent, local groups and tools.",
        version: "0.1.0",
        subcommands: [SQLCommand.self]
    )
}
