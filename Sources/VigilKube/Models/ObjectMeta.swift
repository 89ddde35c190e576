import Foundation

/// `metav1.ObjectMeta`: the fields an operator reads or writes.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Date?
    public var deletionTimestamp: Date?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
                resourceVersion: String? = nil, generation: Int64? = nil, creationTimestamp: Date? = nil,
                deletionTimestamp: Date? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil,
                finalizers: [String]? = nil) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
    }
}

/// `metav1.OwnerReference`: ties a dependent to its owner for garbage collection.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
                blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// A controller reference to `owner` (which must have been read back, so it has a uid).
    public init<Owner: KubeResource>(controller owner: Owner) {
        self.init(apiVersion: Owner.apiVersion, kind: Owner.kind, name: owner.metadata.name ?? "",
                  uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    /// The opaque token for the next page (`continue` on the wire).
    public var continueToken: String?
    public var remainingItemCount: Int64?

    enum CodingKeys: String, CodingKey {
        case resourceVersion
        case continueToken = "continue"
        case remainingItemCount
    }

    public init(resourceVersion: String? = nil, continueToken: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// A list response (`PodList`, …) for any resource type.
public struct KubeList<Item: KubeResource>: Codable, Sendable {
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server writes `"items": null` for an empty list of some types.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}
