import Foundation

/// `apps/v1` Deployment.
public struct Deployment: KubeResource, Hashable {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(DeploymentSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(DeploymentStatus.self, forKey: .status)
    }
}

/// Desired state of a Deployment.
public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?
    public var strategy: DeploymentStrategy?

    public init(replicas: Int? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec? = nil, strategy: DeploymentStrategy? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
    }
}

/// `Recreate` or `RollingUpdate` (with its own limits).
public struct DeploymentStrategy: Codable, Sendable, Hashable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?

    public init(type: String? = nil, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// How far a rolling update may go above / below the desired count.
public struct RollingUpdateDeployment: Codable, Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// What the Deployment controller observed.
public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var readyReplicas: Int?
    public var updatedReplicas: Int?
    public var availableReplicas: Int?
    public var observedGeneration: Int64?
    public var conditions: [JSONValue]?

    public init(replicas: Int? = nil, readyReplicas: Int? = nil, updatedReplicas: Int? = nil, availableReplicas: Int? = nil, observedGeneration: Int64? = nil, conditions: [JSONValue]? = nil) {
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.updatedReplicas = updatedReplicas
        self.availableReplicas = availableReplicas
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }
}
