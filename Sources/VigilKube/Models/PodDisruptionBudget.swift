import Foundation

/// `policy/v1` PodDisruptionBudget.
public struct PodDisruptionBudget: KubeResource, Hashable {
    public static let apiVersion = "policy/v1"
    public static let kind = "PodDisruptionBudget"
    public static let plural = "poddisruptionbudgets"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: PDBSpec?
    public var status: PDBStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PDBSpec? = nil, status: PDBStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PDBSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PDBStatus.self, forKey: .status)
    }
}

/// At most one of `minAvailable` / `maxUnavailable`.
public struct PDBSpec: Codable, Sendable, Hashable {
    public var minAvailable: IntOrString?
    public var maxUnavailable: IntOrString?
    public var selector: LabelSelector?

    public init(minAvailable: IntOrString? = nil, maxUnavailable: IntOrString? = nil, selector: LabelSelector? = nil) {
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
        self.selector = selector
    }
}

/// Disruptions currently allowed.
public struct PDBStatus: Codable, Sendable, Hashable {
    public var currentHealthy: Int?
    public var desiredHealthy: Int?
    public var disruptionsAllowed: Int?
    public var expectedPods: Int?
    public var observedGeneration: Int64?

    public init(currentHealthy: Int? = nil, desiredHealthy: Int? = nil, disruptionsAllowed: Int? = nil, expectedPods: Int? = nil, observedGeneration: Int64? = nil) {
        self.currentHealthy = currentHealthy
        self.desiredHealthy = desiredHealthy
        self.disruptionsAllowed = disruptionsAllowed
        self.expectedPods = expectedPods
        self.observedGeneration = observedGeneration
    }
}
