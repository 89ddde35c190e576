import Foundation

/// `core/v1` Node (cluster-scoped).
public struct Node: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Node"
    public static let plural = "nodes"
    public static let namespaced = false

    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(NodeSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(NodeStatus.self, forKey: .status)
    }
}

/// A node's taints and schedulability.
public struct NodeSpec: Codable, Sendable, Hashable {
    public var taints: [Taint]?
    public var unschedulable: Bool?
    public var podCIDR: String?

    public init(taints: [Taint]? = nil, unschedulable: Bool? = nil, podCIDR: String? = nil) {
        self.taints = taints
        self.unschedulable = unschedulable
        self.podCIDR = podCIDR
    }
}

/// Repels pods that do not tolerate it.
public struct Taint: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?
    public var effect: String
    public var timeAdded: Date?

    public init(key: String, value: String? = nil, effect: String, timeAdded: Date? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

/// A node's addresses and conditions.
public struct NodeStatus: Codable, Sendable, Hashable {
    public var addresses: [NodeAddress]?
    public var conditions: [JSONValue]?

    public init(addresses: [NodeAddress]? = nil, conditions: [JSONValue]? = nil) {
        self.addresses = addresses
        self.conditions = conditions
    }
}

/// `InternalIP`, `Hostname`, ….
public struct NodeAddress: Codable, Sendable, Hashable {
    public var type: String
    public var address: String

    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}
