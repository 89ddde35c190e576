import VigilCore
import VigilEngine

/// A `MySQLCluster` spec checked and resolved: every default applied, every instance named.
/// Built only by `resolve`, which either returns a plan or every problem (each a sentence a
/// user can act on); the reconciler creates nothing for a spec with problems.
public struct ClusterPlan: Sendable, Hashable {
    public enum Topology: String, Sendable, Hashable { case standalone, replication }

    public struct Instance: Sendable, Hashable {
        /// `{cluster}-{site}-{ordinal}`: the Deployment's, the pod label's and the member's name.
        public var name: String
        public var site: String
        public var siteRole: SiteRole
        public var sitePriority: Int
        /// 1-based, unique in the group: the server_id.
        public var serverID: UInt32
        public var storageSize: String
        public var storageClassName: String?
        public var nodeSelector: [String: String]
        public var tolerations: [MySQLClusterSpec.Toleration]
    }

    public var cluster: String
    public var namespace: String
    public var topology: Topology
    public var replication: ReplicationMode
    public var flavor: Flavor
    public var image: String
    public var agentImage: String?
    public var instances: [Instance]
    public var resources: MySQLClusterSpec.Resources
    public var group: GroupConfig
    public var dnsHostname: String?
    public var dnsTTL: Int
    public var taintsEnabled: Bool

    public var sites: [String] {
        var seen: [String] = []
        for instance in instances where !seen.contains(instance.site) { seen.append(instance.site) }
        return seen
    }

    public func instance(_ name: String) -> Instance? { instances.first { $0.name == name } }

    /// The taint put on a failed site's nodes.
    public var taintKey: String { "vigil.dev/db-readonly-\(cluster)" }

    public static let defaultStorage = "10Gi"
    public static let defaultTTL = 30
    public static let maxInstances = 64

    /// Checks `spec` and resolves it, or returns every problem found.
    public static func resolve(cluster: String, namespace: String, spec: MySQLClusterSpec) -> Result<ClusterPlan, PlanProblems> {
        var problems: [String] = []
        let topology: Topology
        switch spec.topology ?? "replication" {
        case "replication": topology = .replication
        case "standalone": topology = .standalone
        case "raftGroup":
            problems.append("spec.topology raftGroup is reserved and not supported yet; use replication or standalone")
            topology = .replication
        case let other:
            problems.append("spec.topology '\(other)' is not one of standalone, replication")
            topology = .replication
        }
        let replication: ReplicationMode
        switch spec.mode ?? "semisync" {
        case "semisync": replication = .semiSync
        case "async": replication = .async
        case let other:
            problems.append("spec.mode '\(other)' is not one of semisync, async")
            replication = .semiSync
        }
        let flavorName = spec.engine?.flavor ?? "mariadb"
        let flavor = Flavor(rawValue: flavorName) ?? .mariadb
        if Flavor(rawValue: flavorName) == nil {
            problems.append("spec.engine.flavor '\(flavorName)' is unknown; use mariadb or mysql")
        }
        let image = spec.engine?.image ?? (flavor == .mariadb ? "mariadb:\(spec.engine?.version ?? "10.11")" : "mysql:\(spec.engine?.version ?? "8.4")")
        if !KubeNames.isDNSLabel(cluster) || cluster.count > 40 {
            problems.append("metadata.name '\(cluster)' must be a DNS label (lowercase letters, digits, '-') of at most 40 characters")
        }

        let sites = spec.sites ?? []
        if sites.isEmpty { problems.append("spec.sites must name at least one site") }
        let perSite = spec.instancesPerSite ?? 1
        if perSite < 1 { problems.append("spec.instancesPerSite must be at least 1 (got \(perSite))") }
        var seen: Set<String> = []
        var instances: [Instance] = []
        for (index, site) in sites.enumerated() {
            let field = "spec.sites[\(index)]"
            if !seen.insert(site.name).inserted { problems.append("\(field).name '\(site.name)' is used by two sites; site names must be unique") }
            if !KubeNames.isDNSLabel(site.name) || site.name.count > 12 {
                problems.append("\(field).name '\(site.name)' must be a DNS label of at most 12 characters")
            }
            let role: SiteRole
            switch site.role ?? "primary-candidate" {
            case "primary-candidate": role = .primaryCandidate
            case "dr-only": role = .drOnly
            case "read-only": role = .readOnly
            case let other:
                problems.append("\(field).role '\(other)' is not one of primary-candidate, dr-only, read-only")
                role = .primaryCandidate
            }
            let count = site.instances ?? perSite
            if count < 1 { problems.append("\(field).instances must be at least 1 (got \(count))") }
            if let size = site.storage?.size, !KubeNames.isQuantity(size) {
                problems.append("\(field).storage.size '\(size)' is not a Kubernetes quantity such as 10Gi")
            }
            for ordinal in 0..<max(0, min(count, maxInstances)) {
                instances.append(Instance(
                    name: "\(cluster)-\(site.name)-\(ordinal)", site: site.name, siteRole: role,
                    sitePriority: site.priority ?? 0, serverID: UInt32(instances.count + 1),
                    storageSize: site.storage?.size ?? defaultStorage, storageClassName: site.storage?.storageClassName,
                    nodeSelector: site.placement?.nodeSelector ?? [:], tolerations: site.placement?.tolerations ?? []))
            }
        }
        if !sites.isEmpty, !instances.contains(where: { $0.siteRole == .primaryCandidate }) {
            problems.append("no site has role primary-candidate: a dr-only or read-only site cannot hold the primary; mark one site primary-candidate")
        }
        if instances.count > maxInstances { problems.append("at most \(maxInstances) instances are supported (spec asks for \(instances.count))") }
        switch topology {
        case .standalone where instances.count != 1:
            problems.append("topology standalone runs exactly one instance (spec asks for \(instances.count)); use replication")
        case .replication where instances.count == 1 && replication == .semiSync:
            problems.append("semisync needs at least two instances (a commit waits for a replica); add an instance or use mode async")
        default: break
        }

        let failover = spec.failover ?? .init()
        let probe = failover.probeIntervalSeconds ?? 1
        if !(probe > 0 && probe <= 60) { problems.append("spec.failover.probeIntervalSeconds must be in (0, 60] (got \(probe))") }
        for (name, value) in [("failureThreshold", failover.failureThreshold), ("recoveryThreshold", failover.recoveryThreshold)] {
            if let value, value < 1 { problems.append("spec.failover.\(name) must be at least 1 (got \(value))") }
        }
        for (name, value) in [("cooldownSeconds", failover.cooldownSeconds), ("drainTimeoutSeconds", failover.drainTimeoutSeconds),
                              ("maxLagWaitSeconds", failover.maxLagWaitSeconds)] {
            if let value, value < 0 { problems.append("spec.failover.\(name) must not be negative (got \(value))") }
        }
        let probeInterval = Duration.milliseconds(Int64((probe * 1000).rounded()))
        let lease = LeaseContract(
            leaseTimeout: .milliseconds(Int64(((spec.agent?.leaseTimeoutSeconds ?? 10) * 1000).rounded())),
            probeInterval: max(probeInterval, .milliseconds(1)))
        problems += lease.problems.map { "spec.agent.leaseTimeoutSeconds: \($0)" }

        if let hostname = spec.dns?.hostname, !KubeNames.isDNSName(hostname) {
            problems.append("spec.dns.hostname '\(hostname)' is not a DNS name")
        }
        let ttl = spec.dns?.ttl ?? defaultTTL
        if ttl < 1 { problems.append("spec.dns.ttl must be at least 1 second (got \(ttl))") }
        if let to = spec.switchover?.to, to != "any", !instances.contains(where: { $0.name == to }) {
            problems.append("spec.switchover.to '\(to)' is not an instance of this cluster (one of \(instances.map(\.name).joined(separator: ", ")), or any)")
        }
        guard problems.isEmpty else { return .failure(PlanProblems(problems)) }

        let members = instances.map {
            MemberConfig(name: $0.name, site: $0.site, sitePriority: $0.sitePriority, siteRole: $0.siteRole,
                         host: KubeNames.instanceHost(instance: $0.name, cluster: cluster, namespace: namespace))
        }
        var ranking = CandidateRankingConfig()
        ranking.allowDROnly = failover.allowDROnly ?? false
        let group = GroupConfig(
            members: members, flavor: flavor, replication: replication, lease: lease,
            failureThreshold: failover.failureThreshold ?? 3, recoveryThreshold: failover.recoveryThreshold ?? 2,
            drainTimeout: .seconds(failover.drainTimeoutSeconds ?? 30), maxLagWait: .seconds(failover.maxLagWaitSeconds ?? 10),
            cooldown: .seconds(failover.cooldownSeconds ?? 300), ranking: ranking)
        return .success(ClusterPlan(
            cluster: cluster, namespace: namespace, topology: topology, replication: replication, flavor: flavor, image: image,
            agentImage: spec.agent?.image, instances: instances, resources: spec.resources ?? .init(), group: group,
            dnsHostname: spec.dns?.hostname, dnsTTL: ttl, taintsEnabled: spec.taints?.enabled ?? true))
    }
}

/// Why a spec cannot be reconciled: one sentence per problem.
public struct PlanProblems: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "; ") }
}
