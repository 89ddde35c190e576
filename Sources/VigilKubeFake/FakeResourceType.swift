import VigilKube

/// A resource type the fake server serves: any group/version/plural, built-in or CRD.
public struct FakeResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var namespaced: Bool
    /// With a status subresource, writes to the object ignore `.status` and writes to
    /// `/status` ignore everything else.
    public var hasStatusSubresource: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool,
                hasStatusSubresource: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.hasStatusSubresource = hasStatusSubresource
    }

    public init<T: KubeResource>(_ type: T.Type, hasStatusSubresource: Bool) {
        self.init(group: T.group, version: T.version, plural: T.plural, kind: T.kind, namespaced: T.namespaced,
                  hasStatusSubresource: hasStatusSubresource)
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// Storage identity: objects are shared across versions of a group, as in etcd.
    var key: String { "\(group)/\(plural)" }

    /// The types every fake server knows: the core kinds Vigil uses, our CRD and external-dns'.
    public static let builtIn: [FakeResourceType] = [
        FakeResourceType(Pod.self, hasStatusSubresource: true),
        FakeResourceType(Service.self, hasStatusSubresource: true),
        FakeResourceType(Endpoints.self, hasStatusSubresource: false),
        FakeResourceType(ConfigMap.self, hasStatusSubresource: false),
        FakeResourceType(Secret.self, hasStatusSubresource: false),
        FakeResourceType(PersistentVolumeClaim.self, hasStatusSubresource: true),
        FakeResourceType(Event.self, hasStatusSubresource: false),
        FakeResourceType(Node.self, hasStatusSubresource: true),
        FakeResourceType(Deployment.self, hasStatusSubresource: true),
        FakeResourceType(PodDisruptionBudget.self, hasStatusSubresource: true),
        FakeResourceType(Lease.self, hasStatusSubresource: false),
        FakeResourceType(DNSEndpoint.self, hasStatusSubresource: true),
        FakeResourceType(group: "vigil.dev", version: "v1alpha1", plural: "mysqlclusters", kind: "MySQLCluster",
                         namespaced: true, hasStatusSubresource: true),
        FakeResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false,
                         hasStatusSubresource: true),
    ]
}
