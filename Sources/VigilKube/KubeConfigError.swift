/// Why a kubeconfig or in-cluster configuration could not be loaded. Descriptions name files,
/// contexts and fields, never their secret contents.
public enum KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case fileUnreadable(path: String, reason: String)
    case notYAML(path: String, problem: String)
    case notAKubeconfig(path: String, problem: String)
    case noCurrentContext(path: String, available: [String])
    case unknownContext(name: String, path: String, available: [String])
    case unknownCluster(name: String, context: String, path: String)
    case unknownUser(name: String, context: String, path: String)
    case missingServer(cluster: String, path: String)
    case badBase64(field: String, path: String)
    case badPEM(field: String, reason: String)
    case unsupportedAuth(user: String, mechanism: String, path: String)
    case notInCluster(missing: String)

    public var description: String {
        switch self {
        case .fileUnreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .notYAML(let path, let problem):
            "kubeconfig \(path) is not valid YAML: \(problem)"
        case .notAKubeconfig(let path, let problem):
            "kubeconfig \(path) is malformed: \(problem)"
        case .noCurrentContext(let path, let available):
            "kubeconfig \(path) has no current-context; pass a context name (available: \(Self.list(available)))"
        case .unknownContext(let name, let path, let available):
            "context \"\(name)\" is not in kubeconfig \(path) (available: \(Self.list(available)))"
        case .unknownCluster(let name, let context, let path):
            "context \"\(context)\" refers to cluster \"\(name)\", which kubeconfig \(path) does not define"
        case .unknownUser(let name, let context, let path):
            "context \"\(context)\" refers to user \"\(name)\", which kubeconfig \(path) does not define"
        case .missingServer(let cluster, let path):
            "cluster \"\(cluster)\" in kubeconfig \(path) has no server URL"
        case .badBase64(let field, let path):
            "\(field) in kubeconfig \(path) is not valid base64"
        case .badPEM(let field, let reason):
            "\(field) is not a usable PEM certificate or key: \(reason)"
        case .unsupportedAuth(let user, let mechanism, let path):
            "user \"\(user)\" in kubeconfig \(path) authenticates with \(mechanism), which Vigil does not support; "
                + "use a token, tokenFile or client certificate"
        case .notInCluster(let missing):
            "not running in a Kubernetes pod: \(missing)"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.sorted().joined(separator: ", ")
    }
}
