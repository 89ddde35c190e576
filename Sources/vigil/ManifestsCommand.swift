import ArgumentParser
import Foundation
import VigilOperator
import Yams

/// `vigil manifests`: prints the CRD, RBAC and operator Deployment (what deploy/ holds).
struct ManifestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifests",
        abstract: "Print the MySQLCluster CRD, least-privilege RBAC and the operator Deployment as YAML.",
        discussion: "Apply with: vigil manifests | kubectl apply --server-side -f -")

    @Option(help: "The operator (and agent) image.")
    var image: String = "ghcr.io/vigil-dev/vigil:\(OperatorOptions.version)"

    @Option(help: ArgumentHelp("Instead, print what the operator would create for this MySQLCluster (YAML file; a dry run).",
                               valueName: "file"))
    var cluster: String?

    func run() throws {
        guard let cluster else {
            FileHandle.standardOutput.write(Data(try Manifests.yaml(image: image).utf8))
            return
        }
        guard let text = FileManager.default.contents(atPath: cluster).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ValidationError("cannot read \(cluster)")
        }
        let resource: MySQLCluster
        do {
            resource = try YAMLDecoder().decode(MySQLCluster.self, from: text)
        } catch {
            throw ValidationError("\(cluster) is not a MySQLCluster: \(error)")
        }
        do {
            FileHandle.standardOutput.write(Data(try Manifests.owned(by: resource, options: OperatorOptions(agentImage: image)).utf8))
        } catch let problems as PlanProblems {
            FileHandle.standardError.write(Data("\(cluster) cannot be reconciled:\n".utf8))
            for problem in problems.problems { FileHandle.standardError.write(Data("  - \(problem)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}
