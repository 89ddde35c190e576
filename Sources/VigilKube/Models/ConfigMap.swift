import Foundation

/// `core/v1` ConfigMap.
public struct ConfigMap: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var binaryData: [String: Data]?

    public init(metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil, binaryData: [String: Data]? = nil) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        binaryData = try container.decodeIfPresent([String: Data].self, forKey: .binaryData)
    }
}
