import Foundation
import Yams

/// How a client reaches and authenticates to an API server: from a kubeconfig file, from a
/// pod's service account (in-cluster) or built by hand (tests against the fake server).
/// Printing a config never shows its token or private key.
public struct KubeConfig: Sendable, CustomStringConvertible {
    /// `https://host:port` or `http://127.0.0.1:port` (the fake server).
    public var server: String
    /// The namespace used when a call names none.
    public var namespace: String
    /// PEM trust roots for the server certificate; `nil` means the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: Redacted<[UInt8]>?
    public var credentials: KubeCredentials
    /// The kubeconfig context this came from (for messages).
    public var contextName: String?

    public init(server: String, namespace: String = "default", certificateAuthorityPEM: [UInt8]? = nil,
                insecureSkipTLSVerify: Bool = false, clientCertificatePEM: [UInt8]? = nil,
                clientKeyPEM: Redacted<[UInt8]>? = nil, credentials: KubeCredentials = .none,
                contextName: String? = nil) {
        self.server = server
        self.namespace = namespace
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.credentials = credentials
        self.contextName = contextName
    }

    public var description: String {
        var parts = ["server: \(server)", "namespace: \(namespace)"]
        if let contextName { parts.append("context: \(contextName)") }
        parts.append("auth: \(credentials)")
        if clientCertificatePEM != nil { parts.append("client certificate") }
        if certificateAuthorityPEM != nil { parts.append("custom CA") }
        if insecureSkipTLSVerify { parts.append("TLS verification off") }
        return "KubeConfig(" + parts.joined(separator: ", ") + ")"
    }
}

/// Bearer-token credentials. A token file is re-read when it changes (projected service
/// account tokens rotate), so long-running processes keep working.
public enum KubeCredentials: Sendable, Hashable, CustomStringConvertible {
    case none
    case token(Redacted<String>)
    case tokenFile(path: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .token: "token <redacted>"
        case .tokenFile(let path): "token file \(path)"
        }
    }
}

extension KubeConfig {
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's service account: `KUBERNETES_SERVICE_HOST` / `_PORT` and the mounted token,
    /// CA and namespace. `directory` is injectable for tests.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 directory: String = serviceAccountDirectory) throws(KubeConfigError) -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .notInCluster(missing: "KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .notInCluster(missing: "KUBERNETES_SERVICE_PORT is not set")
        }
        let tokenPath = directory + "/token"
        // Read once now so a missing mount fails at startup, not at the first request.
        _ = try readFile(tokenPath)
        let ca = try readFile(directory + "/ca.crt")
        var namespace = "default"
        if FileManager.default.fileExists(atPath: directory + "/namespace") {
            let text = String(decoding: try readFile(directory + "/namespace"), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(server: "https://\(hostPart):\(port)", namespace: namespace, certificateAuthorityPEM: ca,
                          credentials: .tokenFile(path: tokenPath), contextName: "in-cluster")
    }

    /// The default kubeconfig path: the first entry of `$KUBECONFIG`, else `~/.kube/config`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            return String(first)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.kube/config"
    }

    /// Loads a kubeconfig file; `context == nil` uses its `current-context`. Relative file
    /// references are resolved against the file's directory, as kubectl does.
    public static func load(path: String? = nil, context: String? = nil) throws(KubeConfigError) -> KubeConfig {
        let path = path ?? defaultPath()
        let text = String(decoding: try readFile(path), as: UTF8.self)
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(yaml: text, path: path, baseDirectory: directory.isEmpty ? "." : directory, context: context)
    }

    /// Parses kubeconfig text. `path` is used in messages only.
    public static func parse(yaml text: String, path: String = "<kubeconfig>", baseDirectory: String = ".",
                             context requested: String? = nil) throws(KubeConfigError) -> KubeConfig {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw .notYAML(path: path, problem: yamlProblem(error))
        }
        guard let document = root as? [String: Any] else {
            throw .notAKubeconfig(path: path, problem: "the top level is not a mapping")
        }
        func named(_ key: String, _ inner: String) throws(KubeConfigError) -> [String: [String: Any]] {
            guard let raw = document[key] else { return [:] }
            guard let entries = raw as? [Any] else {
                throw .notAKubeconfig(path: path, problem: "\(key) is not a list")
            }
            var result: [String: [String: Any]] = [:]
            for entry in entries {
                guard let entry = entry as? [String: Any], let name = scalar(entry["name"]) else {
                    throw .notAKubeconfig(path: path, problem: "an entry of \(key) has no name")
                }
                result[name] = entry[inner] as? [String: Any] ?? [:]
            }
            return result
        }
        let contexts = try named("contexts", "context")
        let clusters = try named("clusters", "cluster")
        let users = try named("users", "user")

        let contextName: String
        if let requested {
            contextName = requested
        } else if let current = scalar(document["current-context"]), !current.isEmpty {
            contextName = current
        } else {
            throw .noCurrentContext(path: path, available: Array(contexts.keys))
        }
        guard let context = contexts[contextName] else {
            throw .unknownContext(name: contextName, path: path, available: Array(contexts.keys))
        }
        guard let clusterName = scalar(context["cluster"]), let cluster = clusters[clusterName] else {
            throw .unknownCluster(name: scalar(context["cluster"]) ?? "", context: contextName, path: path)
        }
        guard let server = scalar(cluster["server"]), !server.isEmpty else {
            throw .missingServer(cluster: clusterName, path: path)
        }
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : baseDirectory + "/" + file
        }
        func material(_ section: [String: Any], data: String, file: String,
                      owner: String) throws(KubeConfigError) -> [UInt8]? {
            if let encoded = scalar(section[data]), !encoded.isEmpty {
                let compact = encoded.filter { !$0.isWhitespace }
                guard let decoded = Data(base64Encoded: compact) else {
                    throw .badBase64(field: "\(owner).\(data)", path: path)
                }
                return Array(decoded)
            }
            if let reference = scalar(section[file]), !reference.isEmpty {
                return try readFile(resolve(reference))
            }
            return nil
        }

        var config = KubeConfig(server: server, contextName: contextName)
        config.namespace = scalar(context["namespace"]).flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        config.insecureSkipTLSVerify = flag(cluster["insecure-skip-tls-verify"])
        config.certificateAuthorityPEM = try material(cluster, data: "certificate-authority-data",
                                                      file: "certificate-authority", owner: "cluster \(clusterName)")
        if let userName = scalar(context["user"]), !userName.isEmpty {
            guard let user = users[userName] else {
                throw .unknownUser(name: userName, context: contextName, path: path)
            }
            let owner = "user \(userName)"
            config.clientCertificatePEM = try material(user, data: "client-certificate-data",
                                                       file: "client-certificate", owner: owner)
            config.clientKeyPEM = try material(user, data: "client-key-data", file: "client-key", owner: owner)
                .map(Redacted.init)
            if let token = scalar(user["token"]), !token.isEmpty {
                config.credentials = .token(Redacted(token))
            } else if let file = scalar(user["tokenFile"]), !file.isEmpty {
                let resolved = resolve(file)
                _ = try readFile(resolved)
                config.credentials = .tokenFile(path: resolved)
            } else if config.clientCertificatePEM == nil {
                for mechanism in ["exec", "auth-provider", "username"] where user[mechanism] != nil {
                    throw .unsupportedAuth(user: userName, mechanism: mechanism, path: path)
                }
            }
        }
        return config
    }

    static func readFile(_ path: String) throws(KubeConfigError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .fileUnreadable(path: path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileUnreadable(path: path, reason: "permission denied or not a regular file")
        }
        return Array(data)
    }

    private static func scalar(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let flag as Bool: String(flag)
        default: nil
        }
    }

    private static func flag(_ value: Any?) -> Bool {
        switch value {
        case let flag as Bool: flag
        case let text as String: text == "true"
        default: false
        }
    }

    /// libyaml's problem and position, without the offending text (it may be a token).
    private static func yamlProblem(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "unparseable" }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        default:
            return "unparseable"
        }
    }
}
