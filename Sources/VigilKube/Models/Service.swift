import Foundation

/// `core/v1` Service.
public struct Service: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public static let plural = "services"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: JSONValue?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(ServiceSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(JSONValue.self, forKey: .status)
    }
}

/// A Service's selector and ports; `clusterIP: "None"` makes it headless.
public struct ServiceSpec: Codable, Sendable, Hashable {
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var clusterIP: String?
    public var type: String?
    public var publishNotReadyAddresses: Bool?
    public var sessionAffinity: String?

    public init(selector: [String: String]? = nil, ports: [ServicePort]? = nil, clusterIP: String? = nil, type: String? = nil, publishNotReadyAddresses: Bool? = nil, sessionAffinity: String? = nil) {
        self.selector = selector
        self.ports = ports
        self.clusterIP = clusterIP
        self.type = type
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.sessionAffinity = sessionAffinity
    }
}

/// One port of a Service.
public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var `protocol`: String?
    public var nodePort: Int?

    public init(name: String? = nil, port: Int, targetPort: IntOrString? = nil, `protocol`: String? = nil, nodePort: Int? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.`protocol` = `protocol`
        self.nodePort = nodePort
    }
}
