import Foundation
import VigilCore
import VigilKube

/// The `MySQLCluster` custom resource (vigil.dev/v1alpha1, namespaced, status subresource).
public struct MySQLCluster: KubeResource, Hashable {
    public static let apiVersion = "vigil.dev/v1alpha1"
    public static let kind = "MySQLCluster"
    public static let plural = "mysqlclusters"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: MySQLClusterSpec
    public var status: MySQLClusterStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: MySQLClusterSpec = MySQLClusterSpec(), status: MySQLClusterStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(MySQLClusterSpec.self, forKey: .spec) ?? MySQLClusterSpec()
        status = try c.decodeIfPresent(MySQLClusterStatus.self, forKey: .status)
    }

    /// Annotation alternative to `spec.switchover`: `kubectl annotate mysqlcluster shop vigil.dev/switchover-to=shop-a-1`.
    public static let switchoverAnnotation = "vigil.dev/switchover-to"
}

/// What the operator reports. `controller` is the decision core's own status (term, primary,
/// cooldown, quarantine, operation in flight), stored before every action so a restarted
/// operator resumes exactly where the last one stopped.
public struct MySQLClusterStatus: Codable, Sendable, Hashable {
    /// `Pending` | `Provisioning` | `Running` | `Degraded` | `FailingOver` | `Invalid` | `Deleting`.
    public var phase: String?
    public var conditions: [Condition]?
    public var primary: String?
    /// "2/3": ready instances of all.
    public var ready: String?
    public var instances: [InstanceStatus]?
    public var lastFailover: FailoverStatus?
    public var cooldownUntil: String?
    public var observedGeneration: Int64?
    /// Set once accounts and replication were wired (never redone).
    public var initialized: Bool?
    public var switchover: SwitchoverStatus?
    public var controller: GroupStatus?

    enum CodingKeys: String, CodingKey {
        case phase, conditions, primary, ready, instances, lastFailover, cooldownUntil, observedGeneration, initialized, switchover,
             controller
    }

    /// Lenient on `controller`: a damaged copy of the core's status must not make the whole
    /// resource unreadable (the operator then resumes from `primary`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decodeIfPresent(String.self, forKey: .phase)
        conditions = try c.decodeIfPresent([Condition].self, forKey: .conditions)
        primary = try c.decodeIfPresent(String.self, forKey: .primary)
        ready = try c.decodeIfPresent(String.self, forKey: .ready)
        instances = try c.decodeIfPresent([InstanceStatus].self, forKey: .instances)
        lastFailover = try c.decodeIfPresent(FailoverStatus.self, forKey: .lastFailover)
        cooldownUntil = try c.decodeIfPresent(String.self, forKey: .cooldownUntil)
        observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        initialized = try c.decodeIfPresent(Bool.self, forKey: .initialized)
        switchover = try c.decodeIfPresent(SwitchoverStatus.self, forKey: .switchover)
        controller = try? c.decodeIfPresent(GroupStatus.self, forKey: .controller)
    }

    public init(phase: String? = nil, conditions: [Condition]? = nil, primary: String? = nil, ready: String? = nil,
                instances: [InstanceStatus]? = nil, lastFailover: FailoverStatus? = nil, cooldownUntil: String? = nil,
                observedGeneration: Int64? = nil, initialized: Bool? = nil, switchover: SwitchoverStatus? = nil,
                controller: GroupStatus? = nil) {
        self.phase = phase
        self.conditions = conditions
        self.primary = primary
        self.ready = ready
        self.instances = instances
        self.lastFailover = lastFailover
        self.cooldownUntil = cooldownUntil
        self.observedGeneration = observedGeneration
        self.initialized = initialized
        self.switchover = switchover
        self.controller = controller
    }

    public struct InstanceStatus: Codable, Sendable, Hashable {
        public var name: String
        public var site: String
        /// `primary` | `replica` | `fenced` | `down` | `pending`.
        public var role: String
        public var healthy: Bool
        public var gtid: String?
        public var lagSeconds: Double?
        public var podIP: String?
        public var node: String?

        public init(name: String, site: String, role: String, healthy: Bool, gtid: String? = nil, lagSeconds: Double? = nil,
                    podIP: String? = nil, node: String? = nil) {
            self.name = name
            self.site = site
            self.role = role
            self.healthy = healthy
            self.gtid = gtid
            self.lagSeconds = lagSeconds
            self.podIP = podIP
            self.node = node
        }
    }

    public struct FailoverStatus: Codable, Sendable, Hashable {
        public var from: String?
        public var to: String
        public var reason: String
        public var startedAt: String
        public var durationMs: Int

        public init(from: String?, to: String, reason: String, startedAt: String, durationMs: Int) {
            self.from = from
            self.to = to
            self.reason = reason
            self.startedAt = startedAt
            self.durationMs = durationMs
        }
    }

    public struct SwitchoverStatus: Codable, Sendable, Hashable {
        public var requestID: String?
        public var to: String
        /// `Requested` | `Running` | `Succeeded` | `RolledBack` | `Refused`.
        public var state: String
        public var message: String?

        public init(requestID: String?, to: String, state: String, message: String? = nil) {
            self.requestID = requestID
            self.to = to
            self.state = state
            self.message = message
        }
    }
}

/// The resource with its status as raw JSON: what the server holds, byte for byte, to patch
/// the decision core's status against.
struct RawMySQLCluster: KubeResource {
    static let apiVersion = MySQLCluster.apiVersion
    static let kind = MySQLCluster.kind
    static let plural = MySQLCluster.plural
    static let namespaced = true
    var metadata: ObjectMeta
    var status: JSONValue?
}
