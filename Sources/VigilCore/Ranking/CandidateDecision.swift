/// The outcome of candidate ranking plus the evidence for it, as data: who was chosen and by
/// which rule (or why nobody), and a verdict for every replica considered.
public struct CandidateDecision: Sendable, Hashable, Codable {
    public enum Outcome: Sendable, Hashable, Codable {
        case chosen(name: String, decidedBy: Rule)
        case none(NoCandidateReason)
    }

    /// The first rule on which the chosen candidate beat the runner-up.
    public enum Rule: String, Sendable, Hashable, Codable {
        /// It was the only complete candidate that is also eligible.
        case onlyComplete
        /// A `primaryCandidate` site beat a `drOnly` one.
        case siteRole
        /// Lower configured site priority.
        case sitePriority
        /// Lower replication lag (less relay log to apply before it can take writes).
        case lag
        /// Everything else equal: the smallest name, so the choice is stable.
        case tieBreakName
    }

    public enum Verdict: Sendable, Hashable, Codable {
        case chosen
        /// Eligible and complete; `rank` 1 is the best (used when the outcome is `.none`
        /// because of a group-wide block, or 2... behind the chosen one).
        case qualified(rank: Int)
        case excluded(ExclusionReason)
    }

    /// Why one replica cannot be promoted; the first that applies, in this order.
    public enum ExclusionReason: Sendable, Hashable, Codable {
        case unreachable
        case quarantined
        /// Reachable, but its executed GTIDs were not observed.
        case gtidsUnknown
        case siteRoleReadOnly
        /// A `drOnly` site while `allowDROnly` is off.
        case siteRoleDROnly
        case unhealthy
        /// Lacks these transactions that some live replica has received.
        case missingTransactions(GTIDState)
    }

    public enum NoCandidateReason: Sendable, Hashable, Codable {
        case noCandidates
        /// Names must identify replicas; the decision would otherwise be ambiguous.
        case duplicateNames([String])
        /// MySQL and MariaDB GTIDs in one group: a configuration error.
        case mixedFlavors
        /// No replica is reachable with known GTIDs, so nothing proves what was committed.
        case noReachableReplica
        /// Blocked: these unreachable replicas were last seen holding `missing`, which no
        /// live replica has. Every complete replica is unreachable; wait for one to return
        /// (or an operator decision to accept the loss).
        case unreachableReplicasAhead(names: [String], missing: GTIDState)
        /// Blocked: the replicas holding everything live are all excluded (see their verdicts).
        case completeReplicasIneligible(names: [String])
        /// No live replica holds every transaction the live replicas received between them:
        /// their histories diverge.
        case noCompleteReplica
    }

    public struct Considered: Sendable, Hashable, Codable {
        public var name: String
        public var site: String
        public var verdict: Verdict

        public init(name: String, site: String, verdict: Verdict) {
            self.name = name
            self.site = site
            self.verdict = verdict
        }
    }

    public var outcome: Outcome
    /// Qualified replicas best first, then excluded ones by name.
    public var considered: [Considered]

    public init(outcome: Outcome, considered: [Considered]) {
        self.outcome = outcome
        self.considered = considered
    }

    /// The chosen replica's name, if any.
    public var chosen: String? {
        if case .chosen(let name, _) = outcome { return name }
        return nil
    }

    public func verdict(for name: String) -> Verdict? {
        considered.first { $0.name == name }?.verdict
    }
}
