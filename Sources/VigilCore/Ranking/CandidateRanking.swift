/// Chooses which replica to promote. Pure: the same inputs, in any order, give the same
/// decision.
///
/// Safety first: a candidate must hold (executed ∪ retrieved) every transaction that any
/// live, non-quarantined replica has received, because under semi-sync any of those may have
/// been acknowledged to a client. Among the complete and eligible candidates the order is:
/// `primaryCandidate` sites before `drOnly` ones, lower site priority, lower lag (unknown
/// last), then name.
public enum CandidateRanking {
    public static func choose(
        from inputs: [CandidateInput],
        config: CandidateRankingConfig = CandidateRankingConfig()
    ) -> CandidateDecision {
        guard !inputs.isEmpty else { return CandidateDecision(outcome: .none(.noCandidates), considered: []) }
        let duplicates = duplicateNames(inputs)
        guard duplicates.isEmpty else {
            return CandidateDecision(outcome: .none(.duplicateNames(duplicates)), considered: [])
        }
        let flavors = Set(inputs.flatMap { [$0.executed?.flavor, $0.retrieved?.flavor].compactMap { $0 } })
        guard flavors.count <= 1 else { return CandidateDecision(outcome: .none(.mixedFlavors), considered: []) }
        do {
            return try rank(inputs.sorted { $0.name < $1.name }, flavor: flavors.first ?? .mysql, config: config)
        } catch {
            return CandidateDecision(outcome: .none(.mixedFlavors), considered: [])
        }
    }

    private struct Evaluated {
        let input: CandidateInput
        let held: GTIDState?
        var exclusion: CandidateDecision.ExclusionReason?

        /// Counts as evidence of what the group received.
        var isWitness: Bool { input.reachable && !input.quarantined && held != nil }
    }

    /// `inputs` are sorted by name, so every iteration below is order-independent.
    private static func rank(
        _ inputs: [CandidateInput],
        flavor: Flavor,
        config: CandidateRankingConfig
    ) throws(GTIDFlavorMismatch) -> CandidateDecision {
        var evaluated: [Evaluated] = []
        for input in inputs {
            evaluated.append(Evaluated(input: input, held: try input.held(), exclusion: nil))
        }

        // Everything the live replicas received between them.
        var required = GTIDState.empty(flavor)
        for candidate in evaluated where candidate.isWitness {
            if let held = candidate.held { required = try required.union(held) }
        }

        for index in evaluated.indices {
            evaluated[index].exclusion = try exclusion(for: evaluated[index], required: required, config: config)
        }

        let qualified = evaluated.filter { $0.exclusion == nil }.sorted(by: isPreferred)
        let excluded = evaluated.filter { $0.exclusion != nil }
        func decision(_ outcome: CandidateDecision.Outcome) -> CandidateDecision {
            let chosen: String? = if case .chosen(let name, _) = outcome { name } else { nil }
            let ranked = qualified.enumerated().map { offset, candidate in
                CandidateDecision.Considered(
                    name: candidate.input.name, site: candidate.input.site,
                    verdict: candidate.input.name == chosen ? .chosen : .qualified(rank: offset + 1))
            }
            let rest = excluded.compactMap { candidate in
                candidate.exclusion.map {
                    CandidateDecision.Considered(name: candidate.input.name, site: candidate.input.site, verdict: .excluded($0))
                }
            }
            return CandidateDecision(outcome: outcome, considered: ranked + rest)
        }

        guard evaluated.contains(where: \.isWitness) else { return decision(.none(.noReachableReplica)) }

        // Unreachable replicas last seen with transactions no live replica has.
        var ahead: [String] = []
        var lost = GTIDState.empty(flavor)
        for candidate in evaluated where !candidate.input.reachable && !candidate.input.quarantined {
            guard let held = candidate.held else { continue }
            let beyond = try held.subtracting(required)
            if !beyond.isEmpty {
                ahead.append(candidate.input.name)
                lost = try lost.union(beyond)
            }
        }
        if config.blockOnUnreachableAhead && !ahead.isEmpty {
            return decision(.none(.unreachableReplicasAhead(names: ahead, missing: lost)))
        }

        guard let best = qualified.first else {
            let complete = evaluated.filter { $0.isWitness && ($0.held?.contains(required) ?? false) }
            if complete.isEmpty { return decision(.none(.noCompleteReplica)) }
            return decision(.none(.completeReplicasIneligible(names: complete.map(\.input.name))))
        }
        let rule = qualified.count > 1 ? decisiveRule(best.input, over: qualified[1].input) : .onlyComplete
        return decision(.chosen(name: best.input.name, decidedBy: rule))
    }

    private static func exclusion(
        for candidate: Evaluated,
        required: GTIDState,
        config: CandidateRankingConfig
    ) throws(GTIDFlavorMismatch) -> CandidateDecision.ExclusionReason? {
        let input = candidate.input
        if !input.reachable { return .unreachable }
        if input.quarantined { return .quarantined }
        guard let held = candidate.held else { return .gtidsUnknown }
        if input.siteRole == .readOnly { return .siteRoleReadOnly }
        if input.siteRole == .drOnly && !config.allowDROnly { return .siteRoleDROnly }
        if !input.healthy { return .unhealthy }
        let missing = try held.missing(from: required)
        return missing.isEmpty ? nil : .missingTransactions(missing)
    }

    private static func tier(_ role: SiteRole) -> Int {
        switch role {
        case .primaryCandidate: 0
        case .drOnly: 1
        case .readOnly: 2
        }
    }

    /// Unknown lag sorts after every known lag.
    private static func lagKey(_ lag: UInt64?) -> UInt64 { lag ?? .max }

    private static func isPreferred(_ a: Evaluated, _ b: Evaluated) -> Bool {
        let x = a.input
        let y = b.input
        return (tier(x.siteRole), x.sitePriority, lagKey(x.lagSeconds), x.name)
            < (tier(y.siteRole), y.sitePriority, lagKey(y.lagSeconds), y.name)
    }

    private static func decisiveRule(_ best: CandidateInput, over next: CandidateInput) -> CandidateDecision.Rule {
        if tier(best.siteRole) != tier(next.siteRole) { return .siteRole }
        if best.sitePriority != next.sitePriority { return .sitePriority }
        if lagKey(best.lagSeconds) != lagKey(next.lagSeconds) { return .lag }
        return .tieBreakName
    }

    private static func duplicateNames(_ inputs: [CandidateInput]) -> [String] {
        var seen: Set<String> = []
        var duplicates: Set<String> = []
        for input in inputs where !seen.insert(input.name).inserted { duplicates.insert(input.name) }
        return duplicates.sorted()
    }
}
