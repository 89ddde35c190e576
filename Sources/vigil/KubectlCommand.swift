import ArgumentParser
import Foundation
import VigilKube
import VigilOperator

/// `vigil kubectl …`, also installed as the kubectl plugin `kubectl-vigil` (a symlink to
/// `vigil`): `kubectl vigil status [NAME]`, `kubectl vigil switchover NAME [--to INSTANCE]`.
struct KubectlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl",
        abstract: "kubectl plugin: status and switchover of MySQLClusters (link vigil as kubectl-vigil).",
        subcommands: [KubectlStatus.self, KubectlSwitchover.self])
}

struct KubectlStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a MySQLCluster (or all of them).")

    @OptionGroup var kube: KubeOptions

    @Argument(help: "The MySQLCluster's name (default: every cluster in the namespace).")
    var name: String?

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        try await withKubeClient(kube) { client, namespace in
            let clusters: [MySQLCluster]
            if let name {
                clusters = [try await client.get(MySQLCluster.self, name: name, namespace: namespace)]
            } else {
                clusters = try await client.listAll(MySQLCluster.self, namespace: namespace).items
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let statuses = Dictionary(clusters.map { ($0.name, $0.status ?? MySQLClusterStatus()) }) { a, _ in a }
                FileHandle.standardOutput.write(try encoder.encode(statuses) + Data("\n".utf8))
            } else if clusters.isEmpty {
                print("no MySQLClusters in namespace \(namespace)")
            } else {
                print(clusters.map(ClusterReport.text).joined(separator: "\n"), terminator: "")
            }
        }
    }
}

struct KubectlSwitchover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchover", abstract: "Move the primary to another instance and wait until it is done.")

    @OptionGroup var kube: KubeOptions

    @Argument(help: "The MySQLCluster's name.")
    var name: String

    @Option(help: "The new primary (default: the best candidate).")
    var to: String = "any"

    @Option(help: "Seconds to wait for the outcome.")
    var timeout: Int = 120

    func run() async throws {
        try await withKubeClient(kube) { client, namespace in
            let requestID = "kubectl-\(Int(Date().timeIntervalSince1970 * 1000))"
            let patch: JSONValue = ["spec": ["switchover": ["to": .string(to), "requestID": .string(requestID)]]]
            let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace, patch: patch)
            print("switchover of \(namespace)/\(name) to \(to) requested (\(requestID))")
            let deadline = ContinuousClock.now + .seconds(timeout)
            var lastState = ""
            while ContinuousClock.now < deadline {
                let cluster = try await client.get(MySQLCluster.self, name: name, namespace: namespace)
                if let progress = cluster.status?.switchover, progress.requestID == requestID {
                    if progress.state != lastState {
                        lastState = progress.state
                        print("\(progress.state)\(progress.message.map { ": \($0)" } ?? "")")
                    }
                    switch progress.state {
                    case "Succeeded": print("primary: \(cluster.status?.primary ?? "-")"); return
                    case "Refused", "RolledBack": throw CommandFailure("switchover \(progress.state.lowercased())")
                    default: break
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw CommandFailure("no outcome within \(timeout) s (state: \(lastState.isEmpty ? "not picked up" : lastState)); see kubectl vigil status \(name)")
        }
    }
}

/// Runs `body` with a client for the chosen kubeconfig/namespace; errors exit 1 with the message.
func withKubeClient(_ kube: KubeOptions, _ body: (KubeClient, String) async throws -> Void) async throws {
    do {
        let config = try kube.config()
        let client = try KubeClient(config: config)
        do {
            try await body(client, kube.namespace ?? config.namespace)
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    } catch {
        FileHandle.standardError.write(Data("kubectl vigil: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
