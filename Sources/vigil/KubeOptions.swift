import ArgumentParser
import Foundation
import VigilKube

/// How `vigil operator` and `vigil kubectl` reach the API server: in-cluster when run in a
/// pod, else a kubeconfig (kubectl's rules: --kubeconfig, $KUBECONFIG, ~/.kube/config).
struct KubeOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config; in a pod: the service account).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (default: its current-context).")
    var context: String?

    @Option(name: [.short, .long], help: "The namespace (default: the context's, or the pod's).")
    var namespace: String?

    func config() throws -> KubeConfig {
        do {
            if kubeconfig == nil, context == nil, ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil {
                return try KubeConfig.inCluster()
            }
            return try KubeConfig.load(path: kubeconfig, context: context)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// A failed operation (exit 1) with its message.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
