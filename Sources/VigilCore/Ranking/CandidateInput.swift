/// One replica as seen by candidate ranking. Pass replicas only, never the failed primary:
/// the old primary's last-known history is always ahead of its replicas and would block
/// every promotion (see `CandidateRankingConfig.blockOnUnreachableAhead`).
public struct CandidateInput: Sendable, Hashable, Codable {
    public var name: String
    public var site: String
    /// Lower numbers are preferred (priority 0 beats priority 10).
    public var sitePriority: Int
    public var siteRole: SiteRole
    public var healthy: Bool
    public var reachable: Bool
    /// Executed transactions; for an unreachable replica, the last known value (or nil).
    public var executed: GTIDState?
    /// Received by the IO thread but maybe not yet applied; nil when unknown.
    public var retrieved: GTIDState?
    /// Replication lag; nil when unknown, which ranks behind any known lag.
    public var lagSeconds: UInt64?
    /// Holds divergent writes: never promoted, and its transactions do not count as
    /// evidence of what the group committed.
    public var quarantined: Bool

    public init(
        name: String,
        site: String = "",
        sitePriority: Int = 0,
        siteRole: SiteRole = .primaryCandidate,
        healthy: Bool = true,
        reachable: Bool = true,
        executed: GTIDState?,
        retrieved: GTIDState? = nil,
        lagSeconds: UInt64? = nil,
        quarantined: Bool = false
    ) {
        self.name = name
        self.site = site
        self.sitePriority = sitePriority
        self.siteRole = siteRole
        self.healthy = healthy
        self.reachable = reachable
        self.executed = executed
        self.retrieved = retrieved
        self.lagSeconds = lagSeconds
        self.quarantined = quarantined
    }

    /// Everything this replica holds once its relay log is applied: executed ∪ retrieved.
    /// nil when nothing is known.
    public func held() throws(GTIDFlavorMismatch) -> GTIDState? {
        guard let executed else { return nil }
        guard let retrieved else { return executed }
        return try executed.union(retrieved)
    }
}

/// Policy knobs for candidate ranking.
public struct CandidateRankingConfig: Sendable, Hashable, Codable {
    /// Whether a `drOnly` site may be promoted when no `primaryCandidate` qualifies.
    public var allowDROnly: Bool
    /// Refuse to choose while an unreachable replica's last-known history holds transactions
    /// no live replica has: with semi-sync, that replica may be the only one that
    /// acknowledged them, and promoting anyone else would lose acknowledged commits.
    public var blockOnUnreachableAhead: Bool

    public init(allowDROnly: Bool = false, blockOnUnreachableAhead: Bool = true) {
        self.allowDROnly = allowDROnly
        self.blockOnUnreachableAhead = blockOnUnreachableAhead
    }
}
