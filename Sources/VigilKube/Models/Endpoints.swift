import Foundation

/// `core/v1` Endpoints.
public struct Endpoints: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Endpoints"
    public static let plural = "endpoints"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        subsets = try container.decodeIfPresent([EndpointSubset].self, forKey: .subsets)
    }
}

/// Addresses sharing a set of ports.
public struct EndpointSubset: Codable, Sendable, Hashable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(addresses: [EndpointAddress]? = nil, notReadyAddresses: [EndpointAddress]? = nil, ports: [EndpointPort]? = nil) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

/// One backend address.
public struct EndpointAddress: Codable, Sendable, Hashable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?

    public init(ip: String, hostname: String? = nil, nodeName: String? = nil, targetRef: ObjectReference? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// One backend port.
public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var `protocol`: String?

    public init(name: String? = nil, port: Int, `protocol`: String? = nil) {
        self.name = name
        self.port = port
        self.`protocol` = `protocol`
    }
}

/// `core/v1` ObjectReference.
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }
}
