import PropertyBased
import Testing
import VigilCore

/// A flavor-neutral random replica: a prefix of the primary's history, maybe more received,
/// maybe some errant writes of its own.
struct CandidateSpec: Sendable {
    var applied: Int
    var receivedExtra: Int
    var errant: Int
    var reachable: Bool
    var healthy: Bool
    var quarantined: Bool
    var role: SiteRole
    var priority: Int
    var lag: UInt64?
    var executedKnown: Bool

    func input(named name: String, flavor: Flavor) -> CandidateInput {
        func state(_ main: Int, errant: Int) -> GTIDState {
            switch flavor {
            case .mysql:
                var set = MySQLGTIDSet()
                if main > 0 { set.insert(1...UInt64(main), for: GTIDSource(uuid: Fixtures.uuids[0])) }
                if errant > 0 { set.insert(1...UInt64(errant), for: GTIDSource(uuid: Fixtures.uuids[1])) }
                return .mysql(set)
            case .mariadb:
                var gtids: [MariaDBGTID] = []
                if main > 0 { gtids.append(MariaDBGTID(domain: 0, serverID: 1, sequence: UInt64(main))) }
                if errant > 0 { gtids.append(MariaDBGTID(domain: 1, serverID: 9, sequence: UInt64(errant))) }
                return .mariadb(MariaDBGTIDPosition(gtids))
            }
        }
        return CandidateInput(
            name: name, site: "s\(priority)", sitePriority: priority, siteRole: role, healthy: healthy,
            reachable: reachable, executed: executedKnown ? state(applied, errant: errant) : nil,
            retrieved: receivedExtra > 0 ? state(applied + receivedExtra, errant: 0) : nil,
            lagSeconds: lag, quarantined: quarantined)
    }
}

struct RankingScenario: Sendable, CustomStringConvertible {
    var specs: [CandidateSpec]
    var flavor: Flavor
    var config: CandidateRankingConfig
    var shuffleSeed: UInt64

    var inputs: [CandidateInput] {
        specs.enumerated().map { $1.input(named: "c\($0)", flavor: flavor) }
    }

    var description: String {
        inputs.map { "\($0.name) exec=\($0.executed?.description ?? "?") retr=\($0.retrieved?.description ?? "-") "
            + "reach=\($0.reachable) healthy=\($0.healthy) q=\($0.quarantined) \($0.siteRole) p=\($0.sitePriority) "
            + "lag=\($0.lagSeconds.map(String.init) ?? "?")" }
            .joined(separator: "; ") + " config=\(config)"
    }
}

enum RankingGenerators {
    static let roles: [SiteRole] = [.primaryCandidate, .primaryCandidate, .primaryCandidate, .drOnly, .readOnly]

    static let spec = zip(
        Gen.int(in: 0...4), Gen.int(in: 0...4), Gen.int(in: 0...9),
        Gen.bool(0.8), Gen.bool(0.85), Gen.bool(0.1),
        Gen.int(in: 0...(roles.count - 1)), Gen.int(in: 0...2), Gen.int(in: 0...4), Gen.bool(0.95)
    ).map { applied, extra, errant, reachable, healthy, quarantined, role, priority, lag, known in
        CandidateSpec(
            // Short histories, mostly without extra or errant transactions, so ties are common.
            applied: applied, receivedExtra: max(0, extra - 2), errant: max(0, errant - 7), reachable: reachable,
            healthy: healthy, quarantined: quarantined, role: roles[role], priority: priority,
            lag: lag == 4 ? nil : UInt64(lag), executedKnown: known)
    }

    static let scenario = zip(spec.array(of: 1...6), Gen.bool, Gen.bool, Gen.bool(0.7), Generators.seed)
        .map { specs, mariadb, allowDR, block, seed in
            RankingScenario(
                specs: specs, flavor: mariadb ? .mariadb : .mysql,
                config: CandidateRankingConfig(allowDROnly: allowDR, blockOnUnreachableAhead: block), shuffleSeed: seed)
        }
}

@Suite struct CandidateRankingPropertyTests {
    private static func held(_ input: CandidateInput) -> GTIDState? {
        try? input.held()
    }

    @Test func chosenHoldsEverythingAnyLiveReplicaReceived() async {
        await propertyCheck(count: 300, input: RankingGenerators.scenario) { scenario in
            let inputs = scenario.inputs
            let decision = CandidateRanking.choose(from: inputs, config: scenario.config)
            guard let name = decision.chosen, let chosen = inputs.first(where: { $0.name == name }) else { return }
            let chosenHeld = Self.held(chosen)
            #expect(chosenHeld != nil)
            for other in inputs where other.reachable && !other.quarantined {
                if let otherHeld = Self.held(other) { #expect(chosenHeld?.contains(otherHeld) == true) }
            }
            if scenario.config.blockOnUnreachableAhead {
                for other in inputs where !other.reachable && !other.quarantined {
                    if let otherHeld = Self.held(other) { #expect(chosenHeld?.contains(otherHeld) == true) }
                }
            }
            #expect(chosen.reachable && chosen.healthy && !chosen.quarantined)
            #expect(chosen.siteRole != .readOnly)
            if chosen.siteRole == .drOnly {
                #expect(scenario.config.allowDROnly)
                // Only as a fallback: no primary-candidate site qualified.
                for other in inputs where other.siteRole == .primaryCandidate {
                    if case .excluded = decision.verdict(for: other.name) {} else { Issue.record("\(other.name) qualified") }
                }
            }
        }
    }

    @Test func decisionIsIndependentOfInputOrder() async {
        await propertyCheck(count: 300, input: RankingGenerators.scenario) { scenario in
            let inputs = scenario.inputs
            var rng = SplitMix(state: scenario.shuffleSeed)
            let decision = CandidateRanking.choose(from: inputs, config: scenario.config)
            #expect(CandidateRanking.choose(from: inputs.shuffled(using: &rng), config: scenario.config) == decision)
            #expect(CandidateRanking.choose(from: inputs.reversed(), config: scenario.config) == decision)
        }
    }

    @Test func everyReplicaGetsExactlyOneVerdict() async {
        await propertyCheck(count: 200, input: RankingGenerators.scenario) { scenario in
            let inputs = scenario.inputs
            let decision = CandidateRanking.choose(from: inputs, config: scenario.config)
            #expect(decision.considered.map(\.name).sorted() == inputs.map(\.name).sorted())
            let chosenCount = decision.considered.filter { $0.verdict == .chosen }.count
            #expect(chosenCount == (decision.chosen == nil ? 0 : 1))
            // Someone qualified but nobody chosen happens only under the unreachable-ahead block.
            let anyQualified = decision.considered.contains { if case .qualified = $0.verdict { true } else { false } }
            if decision.chosen == nil && anyQualified {
                if case .none(.unreachableReplicasAhead) = decision.outcome {} else {
                    Issue.record("qualified candidates but outcome \(decision.outcome)")
                }
            }
        }
    }
}
