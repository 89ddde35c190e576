import Foundation

/// A Kubernetes object type the client can read and write: built-in kinds and our CRDs.
/// `apiVersion` and `kind` are written by `KubeCodec` from the type, so conforming types
/// need not store them; decoding ignores fields a type does not declare.
public protocol KubeResource: Codable, Sendable {
    /// `"v1"`, `"apps/v1"`, `"vigil.dev/v1alpha1"`.
    static var apiVersion: String { get }
    static var kind: String { get }
    /// The lower-case plural used in URLs: `"pods"`, `"mysqlclusters"`.
    static var plural: String { get }
    static var namespaced: Bool { get }
    var metadata: ObjectMeta { get set }
}

extension KubeResource {
    /// The API group (`""` for the core group).
    public static var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    public static var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }

    /// The resource's collection path: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments`, …
    /// `namespace == nil` for cluster-scoped types or lists across all namespaces.
    public static func collectionPath(namespace: String?) -> String {
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace {
            return "\(root)/namespaces/\(KubePath.escape(namespace))/\(plural)"
        }
        return "\(root)/\(plural)"
    }

    public static func objectPath(name: String, namespace: String?, subresource: KubeSubresource = .main) -> String {
        collectionPath(namespace: namespace) + "/" + KubePath.escape(name) + subresource.pathSuffix
    }

    /// `metadata.name`, or `""` for an object not yet named (create with `generateName`).
    public var name: String { metadata.name ?? "" }
    public var namespace: String? { metadata.namespace }
    public var resourceVersion: String? { metadata.resourceVersion }
}

/// Which part of an object a write addresses.
public enum KubeSubresource: Sendable, Hashable {
    case main
    case status

    var pathSuffix: String {
        switch self {
        case .main: ""
        case .status: "/status"
        }
    }
}

enum KubePath {
    /// Percent-encodes a path segment (names are DNS labels in practice; be safe anyway).
    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;,?#")
        return "?" + items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}
