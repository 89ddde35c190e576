/// A local copy of a watched collection, kept current by feeding it `listWatch` events:
/// a re-list replaces everything (objects deleted while the watch was down disappear).
public struct ObjectCache<T: KubeResource>: Sendable {
    /// By `namespace/name` (`name` alone for cluster-scoped objects).
    public private(set) var objects: [String: T] = [:]
    /// The resourceVersion of the last list or event applied.
    public private(set) var resourceVersion: String?
    /// Whether a list has been applied (before that the cache is not authoritative).
    public private(set) var hasSynced = false

    public init() {}

    public static func key(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }

    public func get(name: String, namespace: String? = nil) -> T? {
        objects[Self.key(namespace: namespace, name: name)]
    }

    /// The objects sorted by key, for deterministic iteration.
    public var sorted: [T] { objects.sorted { $0.key < $1.key }.map(\.value) }

    public mutating func apply(_ event: ListWatchEvent<T>) {
        switch event {
        case .listed(let items, let version):
            objects = Dictionary(items.map { (Self.key(namespace: $0.metadata.namespace, name: $0.name), $0) },
                                 uniquingKeysWith: { _, last in last })
            resourceVersion = version
            hasSynced = true
        case .added(let object), .modified(let object):
            objects[Self.key(namespace: object.metadata.namespace, name: object.name)] = object
            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
        case .deleted(let object):
            objects.removeValue(forKey: Self.key(namespace: object.metadata.namespace, name: object.name))
            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
        }
    }
}
