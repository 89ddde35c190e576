import Foundation

/// `externaldns.k8s.io/v1alpha1` DNSEndpoint (external-dns CRD source).
public struct DNSEndpoint: KubeResource, Hashable {
    public static let apiVersion = "externaldns.k8s.io/v1alpha1"
    public static let kind = "DNSEndpoint"
    public static let plural = "dnsendpoints"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: DNSEndpointSpec?
    public var status: JSONValue?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DNSEndpointSpec? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(DNSEndpointSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(JSONValue.self, forKey: .status)
    }
}

/// The DNS records to publish.
public struct DNSEndpointSpec: Codable, Sendable, Hashable {
    public var endpoints: [DNSRecord]?

    public init(endpoints: [DNSRecord]? = nil) {
        self.endpoints = endpoints
    }
}

/// One record set: name, type, TTL, targets.
public struct DNSRecord: Codable, Sendable, Hashable {
    public var dnsName: String
    public var recordType: String?
    public var recordTTL: Int64?
    public var targets: [String]?
    public var labels: [String: String]?

    public init(dnsName: String, recordType: String? = nil, recordTTL: Int64? = nil, targets: [String]? = nil, labels: [String: String]? = nil) {
        self.dnsName = dnsName
        self.recordType = recordType
        self.recordTTL = recordTTL
        self.targets = targets
        self.labels = labels
    }
}
