/// How acknowledgements work, which decides what a failover may lose.
public enum ReplicationMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Lossless semi-sync (AFTER_SYNC, no async fallback): a commit is acknowledged only once a
    /// replica has it, so a promotion must account for every replica that might have it.
    case semiSync
    /// Acknowledged at once; a failover may lose what no replica received (recorded as lost).
    case async
}

/// One instance of the group as configured (what does not change at run time).
public struct MemberConfig: Sendable, Hashable, Codable {
    public var name: String
    public var site: String
    /// Lower is preferred when choosing a candidate.
    public var sitePriority: Int
    public var siteRole: SiteRole
    /// The host replicas name as their source (`SHOW REPLICA STATUS` `Source_Host`) when it
    /// is not the member name itself.
    public var host: String?

    public init(
        name: String, site: String = "", sitePriority: Int = 0, siteRole: SiteRole = .primaryCandidate,
        host: String? = nil
    ) {
        self.name = name
        self.site = site
        self.sitePriority = sitePriority
        self.siteRole = siteRole
        self.host = host
    }

    /// Whether a replica's `sourceHost` means this member.
    /// `host` may carry the port (`127.0.0.1:13310`, several instances on one host).
    public func isAddressed(by sourceHost: String, port: Int? = nil) -> Bool {
        if sourceHost == name || sourceHost == host { return true }
        guard let port else { return false }
        return "\(sourceHost):\(port)" == host
    }
}

/// Policy for one group. Defaults follow the timing model in DESIGN.md.
public struct GroupConfig: Sendable, Hashable, Codable {
    public var members: [MemberConfig]
    public var flavor: Flavor
    public var replication: ReplicationMode
    /// Lease, heartbeat and probe timing shared with the agents.
    public var lease: LeaseContract
    /// Consecutive missed controller probes before an instance counts as down.
    public var failureThreshold: Int
    /// Consecutive good probes before a down instance counts as up again.
    public var recoveryThreshold: Int
    /// Upper bound for applying the candidate's relay log before promotion (best effort).
    public var drainTimeout: Duration
    /// Switchover: the longest the target may lag, and the longest the primary stays read-only
    /// waiting for it before the switchover rolls back.
    public var maxLagWait: Duration
    /// Anti-flap: no automatic failover (and no switchover) this long after a promotion.
    public var cooldown: Duration
    /// An agent report older than this no longer counts as a replica's opinion.
    public var reportFreshness: Duration
    public var ranking: CandidateRankingConfig

    public init(
        members: [MemberConfig],
        flavor: Flavor,
        replication: ReplicationMode = .semiSync,
        lease: LeaseContract = LeaseContract(),
        failureThreshold: Int = 3,
        recoveryThreshold: Int = 2,
        drainTimeout: Duration = .seconds(30),
        maxLagWait: Duration = .seconds(10),
        cooldown: Duration = .seconds(300),
        reportFreshness: Duration? = nil,
        ranking: CandidateRankingConfig = CandidateRankingConfig()
    ) {
        self.members = members
        self.flavor = flavor
        self.replication = replication
        self.lease = lease
        self.failureThreshold = max(1, failureThreshold)
        self.recoveryThreshold = max(1, recoveryThreshold)
        self.drainTimeout = drainTimeout
        self.maxLagWait = maxLagWait
        self.cooldown = cooldown
        self.reportFreshness = reportFreshness ?? lease.probeInterval * 3
        self.ranking = ranking
    }

    public var memberNames: [String] { members.map(\.name) }

    public func member(_ name: String) -> MemberConfig? { members.first { $0.name == name } }
}
