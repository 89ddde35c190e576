/// What a site is for, as configured by the operator.
public enum SiteRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// May host the primary.
    case primaryCandidate
    /// Disaster recovery: promoted only when no primary-candidate site can take over, and
    /// only if the operator allowed it (`CandidateRankingConfig.allowDROnly`).
    case drOnly
    /// Never promoted (reporting replicas, backups).
    case readOnly
}
