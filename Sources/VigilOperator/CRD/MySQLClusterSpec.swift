/// `MySQLCluster.spec` (vigil.dev/v1alpha1) as stored by the API server. Decoding is lenient
/// on purpose: enum-like fields stay strings so a spec that slipped past the CRD schema (or a
/// fake server that has none) is reported in a condition with a clear message instead of
/// failing to decode. `ClusterPlan.resolve` turns it into checked values.
public struct MySQLClusterSpec: Codable, Sendable, Hashable {
    /// `standalone` | `replication` (default); `raftGroup` is reserved.
    public var topology: String?
    /// `semisync` (default, lossless) | `async`.
    public var mode: String?
    public var engine: Engine?
    public var sites: [Site]?
    /// Instances in each site that does not say otherwise (default 1).
    public var instancesPerSite: Int?
    public var resources: Resources?
    public var failover: Failover?
    public var agent: AgentSpec?
    public var dns: DNS?
    public var taints: Taints?
    /// Ask for a switchover: the target instance's name (or `any`). Progress shows in
    /// `status.switchover`; the request is served once per `requestID`.
    public var switchover: SwitchoverRequest?

    public init(topology: String? = nil, mode: String? = nil, engine: Engine? = nil, sites: [Site]? = nil,
                instancesPerSite: Int? = nil, resources: Resources? = nil, failover: Failover? = nil,
                agent: AgentSpec? = nil, dns: DNS? = nil, taints: Taints? = nil, switchover: SwitchoverRequest? = nil) {
        self.topology = topology
        self.mode = mode
        self.engine = engine
        self.sites = sites
        self.instancesPerSite = instancesPerSite
        self.resources = resources
        self.failover = failover
        self.agent = agent
        self.dns = dns
        self.taints = taints
        self.switchover = switchover
    }

    public struct Engine: Codable, Sendable, Hashable {
        /// `mariadb` (default) | `mysql`.
        public var flavor: String?
        /// e.g. `10.11`; informational (the image decides).
        public var version: String?
        /// Default `mariadb:10.11` / `mysql:8.4`.
        public var image: String?

        public init(flavor: String? = nil, version: String? = nil, image: String? = nil) {
            self.flavor = flavor
            self.version = version
            self.image = image
        }
    }

    public struct Site: Codable, Sendable, Hashable {
        public var name: String
        /// `primary-candidate` (default) | `dr-only` | `read-only`.
        public var role: String?
        /// Lower is preferred for the primary (default 0).
        public var priority: Int?
        public var instances: Int?
        public var placement: Placement?
        public var storage: Storage?

        public init(name: String, role: String? = nil, priority: Int? = nil, instances: Int? = nil,
                    placement: Placement? = nil, storage: Storage? = nil) {
            self.name = name
            self.role = role
            self.priority = priority
            self.instances = instances
            self.placement = placement
            self.storage = storage
        }
    }

    public struct Placement: Codable, Sendable, Hashable {
        public var nodeSelector: [String: String]?
        public var tolerations: [Toleration]?

        public init(nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil) {
            self.nodeSelector = nodeSelector
            self.tolerations = tolerations
        }
    }

    public struct Toleration: Codable, Sendable, Hashable {
        public var key: String?
        public var `operator`: String?
        public var value: String?
        public var effect: String?
        public var tolerationSeconds: Int?

        public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil,
                    tolerationSeconds: Int? = nil) {
            self.key = key
            self.operator = `operator`
            self.value = value
            self.effect = effect
            self.tolerationSeconds = tolerationSeconds
        }
    }

    public struct Storage: Codable, Sendable, Hashable {
        /// Default `10Gi`.
        public var size: String?
        public var storageClassName: String?

        public init(size: String? = nil, storageClassName: String? = nil) {
            self.size = size
            self.storageClassName = storageClassName
        }
    }

    public struct Resources: Codable, Sendable, Hashable {
        public var requests: [String: String]?
        public var limits: [String: String]?

        public init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
            self.requests = requests
            self.limits = limits
        }
    }

    public struct Failover: Codable, Sendable, Hashable {
        public var probeIntervalSeconds: Double?
        public var failureThreshold: Int?
        public var recoveryThreshold: Int?
        public var cooldownSeconds: Int?
        public var drainTimeoutSeconds: Int?
        public var maxLagWaitSeconds: Int?
        /// Allow promoting a `dr-only` site when no primary candidate can take over.
        public var allowDROnly: Bool?

        public init(probeIntervalSeconds: Double? = nil, failureThreshold: Int? = nil, recoveryThreshold: Int? = nil,
                    cooldownSeconds: Int? = nil, drainTimeoutSeconds: Int? = nil, maxLagWaitSeconds: Int? = nil,
                    allowDROnly: Bool? = nil) {
            self.probeIntervalSeconds = probeIntervalSeconds
            self.failureThreshold = failureThreshold
            self.recoveryThreshold = recoveryThreshold
            self.cooldownSeconds = cooldownSeconds
            self.drainTimeoutSeconds = drainTimeoutSeconds
            self.maxLagWaitSeconds = maxLagWaitSeconds
            self.allowDROnly = allowDROnly
        }
    }

    public struct AgentSpec: Codable, Sendable, Hashable {
        /// A primary that hears neither the operator nor a peer this long fences itself.
        public var leaseTimeoutSeconds: Double?
        /// The image holding `vigil` (default: the operator's own image).
        public var image: String?

        public init(leaseTimeoutSeconds: Double? = nil, image: String? = nil) {
            self.leaseTimeoutSeconds = leaseTimeoutSeconds
            self.image = image
        }
    }

    public struct DNS: Codable, Sendable, Hashable {
        /// The A record that follows the primary (through an external-dns `DNSEndpoint`).
        public var hostname: String?
        /// Default 30 s.
        public var ttl: Int?

        public init(hostname: String? = nil, ttl: Int? = nil) {
            self.hostname = hostname
            self.ttl = ttl
        }
    }

    public struct Taints: Codable, Sendable, Hashable {
        /// Taint a failed site's nodes `vigil.dev/db-readonly-{cluster}=true:NoExecute`.
        public var enabled: Bool?

        public init(enabled: Bool? = nil) { self.enabled = enabled }
    }

    public struct SwitchoverRequest: Codable, Sendable, Hashable {
        /// Instance name, or `any` for the best candidate.
        public var to: String
        /// Changing it asks again (a request is served once).
        public var requestID: String?

        public init(to: String, requestID: String? = nil) {
            self.to = to
            self.requestID = requestID
        }
    }
}
