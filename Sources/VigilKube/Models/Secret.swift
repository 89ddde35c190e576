import Foundation

/// `core/v1` Secret. `data` is base64 on the wire and bytes here; `stringData` is write-only.
public struct Secret: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: Data]?
    public var stringData: [String: String]?

    public init(metadata: ObjectMeta = ObjectMeta(), type: String? = nil, data: [String: Data]? = nil, stringData: [String: String]? = nil) {
        self.metadata = metadata
        self.type = type
        self.data = data
        self.stringData = stringData
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        type = try container.decodeIfPresent(String.self, forKey: .type)
        data = try container.decodeIfPresent([String: Data].self, forKey: .data)
        stringData = try container.decodeIfPresent([String: String].self, forKey: .stringData)
    }
}
