import Foundation

/// `core/v1` PersistentVolumeClaim.
public struct PersistentVolumeClaim: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "PersistentVolumeClaim"
    public static let plural = "persistentvolumeclaims"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: PVCSpec?
    public var status: PVCStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PVCSpec? = nil, status: PVCStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PVCSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PVCStatus.self, forKey: .status)
    }
}

/// A claim's request: access modes, size, storage class.
public struct PVCSpec: Codable, Sendable, Hashable {
    public var accessModes: [String]?
    public var resources: ResourceRequirements?
    public var storageClassName: String?
    public var volumeName: String?
    public var volumeMode: String?

    public init(accessModes: [String]? = nil, resources: ResourceRequirements? = nil, storageClassName: String? = nil, volumeName: String? = nil, volumeMode: String? = nil) {
        self.accessModes = accessModes
        self.resources = resources
        self.storageClassName = storageClassName
        self.volumeName = volumeName
        self.volumeMode = volumeMode
    }
}

/// A claim's binding state.
public struct PVCStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var capacity: [String: String]?

    public init(phase: String? = nil, capacity: [String: String]? = nil) {
        self.phase = phase
        self.capacity = capacity
    }
}
