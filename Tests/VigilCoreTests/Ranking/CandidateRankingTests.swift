import Testing
import VigilCore

/// Candidates on one source UUID (`u`) unless stated; `x` is a second source for errant writes.
private let u = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
private let x = "ffffffff-ffff-ffff-ffff-ffffffffffff"

private func gtids(_ text: String) -> GTIDState { .mysql(Fixtures.mysql(text)) }

private func candidate(
    _ name: String,
    executed: String?,
    retrieved: String? = nil,
    priority: Int = 0,
    role: SiteRole = .primaryCandidate,
    healthy: Bool = true,
    reachable: Bool = true,
    lag: UInt64? = 0,
    quarantined: Bool = false
) -> CandidateInput {
    CandidateInput(
        name: name, site: "site-\(name)", sitePriority: priority, siteRole: role, healthy: healthy,
        reachable: reachable, executed: executed.map(gtids), retrieved: retrieved.map(gtids), lagSeconds: lag,
        quarantined: quarantined)
}

@Suite struct CandidateRankingTests {
    @Test func theOnlyCompleteReplicaWins() {
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10"),
            candidate("b", executed: "\(u):1-8", priority: -5, lag: 0),
        ])
        #expect(decision.outcome == .chosen(name: "a", decidedBy: .onlyComplete))
        #expect(decision.verdict(for: "b") == .excluded(.missingTransactions(gtids("\(u):9-10"))))
    }

    @Test func retrievedTransactionsCount() {
        // b applied less but received more: it holds everything once its relay log is applied.
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10"),
            candidate("b", executed: "\(u):1-8", retrieved: "\(u):5-12"),
        ])
        #expect(decision.chosen == "b")
        #expect(decision.verdict(for: "a") == .excluded(.missingTransactions(gtids("\(u):11-12"))))
    }

    @Test func sitePriorityThenLagThenName() {
        let byPriority = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10", priority: 2, lag: 0),
            candidate("b", executed: "\(u):1-10", priority: 1, lag: 9),
        ])
        #expect(byPriority.outcome == .chosen(name: "b", decidedBy: .sitePriority))
        #expect(byPriority.considered.map(\.verdict) == [.chosen, .qualified(rank: 2)])

        let byLag = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10", lag: 5),
            candidate("b", executed: "\(u):1-10", lag: 1),
            candidate("c", executed: "\(u):1-10", lag: nil),
        ])
        #expect(byLag.outcome == .chosen(name: "b", decidedBy: .lag))
        #expect(byLag.considered.map(\.name) == ["b", "a", "c"])  // unknown lag ranks last

        let byName = CandidateRanking.choose(from: [
            candidate("b", executed: "\(u):1-10"),
            candidate("a", executed: "\(u):1-10"),
        ])
        #expect(byName.outcome == .chosen(name: "a", decidedBy: .tieBreakName))
    }

    @Test func unhealthyQuarantinedAndUnknownAreExcluded() {
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10", healthy: false),
            candidate("b", executed: "\(u):1-10"),
            candidate("c", executed: nil),
            // Quarantined: its divergent writes must not make everyone else look incomplete.
            candidate("q", executed: "\(u):1-10,\(x):1-3", quarantined: true),
        ])
        #expect(decision.outcome == .chosen(name: "b", decidedBy: .onlyComplete))
        #expect(decision.considered == [
            .init(name: "b", site: "site-b", verdict: .chosen),
            .init(name: "a", site: "site-a", verdict: .excluded(.unhealthy)),
            .init(name: "c", site: "site-c", verdict: .excluded(.gtidsUnknown)),
            .init(name: "q", site: "site-q", verdict: .excluded(.quarantined)),
        ])
    }

    @Test func readOnlySitesAreNeverChosen() {
        let decision = CandidateRanking.choose(from: [
            candidate("r", executed: "\(u):1-10", role: .readOnly),
            candidate("a", executed: "\(u):1-9"),
        ])
        #expect(decision.outcome == .none(.completeReplicasIneligible(names: ["r"])))
        #expect(decision.verdict(for: "r") == .excluded(.siteRoleReadOnly))
        #expect(decision.verdict(for: "a") == .excluded(.missingTransactions(gtids("\(u):10"))))
    }

    @Test func drOnlySitesOnlyWhenAllowedAndNeeded() {
        let onlyDR = [
            candidate("dr", executed: "\(u):1-10", role: .drOnly),
            candidate("a", executed: "\(u):1-9"),
        ]
        let refused = CandidateRanking.choose(from: onlyDR)
        #expect(refused.outcome == .none(.completeReplicasIneligible(names: ["dr"])))
        #expect(refused.verdict(for: "dr") == .excluded(.siteRoleDROnly))

        let allowed = CandidateRankingConfig(allowDROnly: true)
        #expect(CandidateRanking.choose(from: onlyDR, config: allowed).outcome
            == .chosen(name: "dr", decidedBy: .onlyComplete))

        // A qualifying primary-candidate site beats a DR site whatever their priorities.
        let both = CandidateRanking.choose(from: [
            candidate("dr", executed: "\(u):1-10", priority: 0, role: .drOnly),
            candidate("a", executed: "\(u):1-10", priority: 9),
        ], config: allowed)
        #expect(both.outcome == .chosen(name: "a", decidedBy: .siteRole))
        #expect(both.verdict(for: "dr") == .qualified(rank: 2))
    }

    @Test func blockedWhenOnlyUnreachableReplicasHoldSomeTransactions() {
        let inputs = [
            candidate("gone", executed: "\(u):1-10", retrieved: "\(u):11-12", reachable: false),
            candidate("a", executed: "\(u):1-10"),
        ]
        let blocked = CandidateRanking.choose(from: inputs)
        #expect(blocked.outcome
            == .none(.unreachableReplicasAhead(names: ["gone"], missing: gtids("\(u):11-12"))))
        #expect(blocked.verdict(for: "a") == .qualified(rank: 1))
        #expect(blocked.verdict(for: "gone") == .excluded(.unreachable))

        let accepted = CandidateRanking.choose(from: inputs, config: CandidateRankingConfig(blockOnUnreachableAhead: false))
        #expect(accepted.chosen == "a")
    }

    @Test func unreachableReplicasBehindDoNotBlock() {
        let decision = CandidateRanking.choose(from: [
            candidate("gone", executed: "\(u):1-5", reachable: false),
            candidate("never-seen", executed: nil, reachable: false),
            candidate("a", executed: "\(u):1-10"),
        ])
        #expect(decision.outcome == .chosen(name: "a", decidedBy: .onlyComplete))
    }

    @Test func nothingReachable() {
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10", reachable: false),
            candidate("b", executed: nil, reachable: false),
        ])
        #expect(decision.outcome == .none(.noReachableReplica))
        #expect(decision.considered.map(\.verdict) == [.excluded(.unreachable), .excluded(.unreachable)])
    }

    @Test func divergentLiveReplicasBlock() {
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10"),
            candidate("b", executed: "\(u):1-8,\(x):1"),
        ])
        #expect(decision.outcome == .none(.noCompleteReplica))
        #expect(decision.verdict(for: "a") == .excluded(.missingTransactions(gtids("\(x):1"))))
        #expect(decision.verdict(for: "b") == .excluded(.missingTransactions(gtids("\(u):9-10"))))
    }

    @Test func malformedInputs() {
        #expect(CandidateRanking.choose(from: []).outcome == .none(.noCandidates))
        #expect(CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1"), candidate("a", executed: "\(u):1"),
        ]).outcome == .none(.duplicateNames(["a"])))
        let mixed = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1"),
            CandidateInput(name: "b", executed: .mariadb(Fixtures.mariadb("0-1-1"))),
        ])
        #expect(mixed.outcome == .none(.mixedFlavors))
    }

    @Test func mariadbCandidates() {
        let decision = CandidateRanking.choose(from: [
            CandidateInput(name: "a", executed: .mariadb(Fixtures.mariadb("0-1-100,1-2-5")), lagSeconds: 0),
            CandidateInput(
                name: "b", executed: .mariadb(Fixtures.mariadb("0-1-98,1-2-5")),
                retrieved: .mariadb(Fixtures.mariadb("0-1-101")), lagSeconds: 3),
        ])
        #expect(decision.outcome == .chosen(name: "b", decidedBy: .onlyComplete))
        #expect(decision.verdict(for: "a") == .excluded(.missingTransactions(.mariadb(Fixtures.mariadb("0-1-101")))))
    }

    @Test func decisionsAreCodable() throws {
        let decision = CandidateRanking.choose(from: [
            candidate("a", executed: "\(u):1-10"),
            candidate("b", executed: "\(u):1-8"),
        ])
        #expect(try JSONRoundTrip.roundTrip(decision) == decision)
    }
}
