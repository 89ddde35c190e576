import Foundation
import Testing
import VigilCore

private typealias H = GroupHarness

@Suite struct RejoinTests {
    /// The former primary returns: fenced first; contained → rejoins automatically.
    @Test func containedFormerPrimaryRejoins() {
        var group = CooldownTests.failedOver()
        // b writes as x after its promotion; a returns holding nothing beyond the fork.
        group.probe(H.primary("a", "u:1-10", writable: true), H.primary("b", "u:1-10,x:1-2"), H.replica("c", "u:1-10,x:1-2", source: "b"))
        let fence = group.probe(H.primary("a", "u:1-10", writable: true), H.primary("b", "u:1-10,x:1-2"), H.replica("c", "u:1-10,x:1-2", source: "b"))
        #expect(fence.has(.fence("a")), "a returning former primary is fenced first (once debounced up)")
        group.complete(.fence("a"), .succeeded(H.primary("a", "u:1-10", writable: false)))
        let rejoin = group.probe(H.primary("a", "u:1-10", writable: false), H.primary("b", "u:1-10,x:1-3"), H.replica("c", "u:1-10,x:1-3", source: "b"))
        #expect(rejoin.has(.rejoinAsReplica("a", source: "b", checkContainment: true)))
        let done = group.complete(.rejoinAsReplica("a", source: "b", checkContainment: true), .succeeded(H.replica("a", "u:1-10,x:1-3", source: "b")))
        #expect(done.codes.contains(.rejoined))
        #expect(group.machine.status.pendingRejoin.isEmpty)
    }

    /// Not contained: quarantined with its errant GTIDs, never made writable.
    @Test func divergentFormerPrimaryIsQuarantinedUntilTheOperatorSaysSo() {
        var group = CooldownTests.failedOver()
        // a wrote u:11-14 that never reached b before it died.
        let a = H.primary("a", "u:1-14", writable: false)
        group.probe(a, H.primary("b", "u:1-10,x:1-3"), H.replica("c", "u:1-10,x:1-3", source: "b"))
        group.probe(a, H.primary("b", "u:1-10,x:1-3"), H.replica("c", "u:1-10,x:1-3", source: "b"))
        group.complete(.fence("a"), .succeeded(a))
        let judged = group.probe(a, H.primary("b", "u:1-10,x:1-4"), H.replica("c", "u:1-10,x:1-4", source: "b"))
        #expect(judged.has(.quarantine("a", errant: H.gtids("u:11-14"))))
        #expect(group.machine.status.quarantined["a"]?.errant == H.gtids("u:11-14"))
        #expect(group.state == .degraded)
        group.complete(.quarantine("a", errant: H.gtids("u:11-14")), .succeeded(a))

        // Never fenced again, repointed or promoted while quarantined.
        for _ in 0..<3 { group.probe(a, H.primary("b", "u:1-10,x:1-5"), H.replica("c", "u:1-10,x:1-5", source: "b")) }
        #expect(!group.decisions.suffix(3).contains { $0.has { $0.instance == "a" } })
        group.handle(.operatorCommand(.overrideCooldown))
        #expect(group.handle(.switchoverRequested(target: "a")).reason.detail == "a is quarantined")

        let lifted = group.handle(.operatorCommand(.unquarantine("a")))
        #expect(lifted.codes.contains(.operatorCommand))
        #expect(group.machine.status.operatorLog.last?.command == .unquarantine("a"))
        group.probe(a, H.primary("b", "u:1-10,x:1-5"), H.replica("c", "u:1-10,x:1-5", source: "b"))
        group.complete(.fence("a"), .succeeded(a))
        let rejoin = group.probe(a, H.primary("b", "u:1-10,x:1-6"), H.replica("c", "u:1-10,x:1-6", source: "b"))
        #expect(rejoin.has(.rejoinAsReplica("a", source: "b", checkContainment: false)))
    }

    @Test func unquarantiningAHealthyMemberIsRefusedAndRecorded() {
        var group = H()
        group.settle()
        let decision = group.handle(.operatorCommand(.unquarantine("b")))
        #expect(decision.codes == [.operatorRefused])
        #expect(group.machine.status.operatorLog.last?.accepted == false)
    }

    @Test func mariaDBTailBeyondTheForkIsErrantEvenWhenSequencesLookContained() throws {
        let fork = GTIDState.mariadb(Fixtures.mariadb("0-1-100"))
        let primary = GTIDState.mariadb(Fixtures.mariadb("0-2-110"))
        let oldTail = InstanceObservation(
            name: "a", reachable: true, flavor: .mariadb, readOnly: true, executedGTIDs: .mariadb(Fixtures.mariadb("0-1-105")))
        #expect(primary.contains(oldTail.executedGTIDs!), "positions alone cannot see it")
        let errant = try #require(GroupStateMachine.errantTransactions(oldTail, primary: primary, forkPoint: fork))
        #expect(errant == .mariadb(Fixtures.mariadb("0-1-105")))
        let follower = InstanceObservation(
            name: "c", reachable: true, flavor: .mariadb, readOnly: true, executedGTIDs: .mariadb(Fixtures.mariadb("0-2-105")))
        #expect(GroupStateMachine.errantTransactions(follower, primary: primary, forkPoint: fork)?.isEmpty == true)
    }
}

@Suite struct RestoreTests {
    @Test func statusSurvivesJSONAndARestartMidFailoverIsolatesAgain() throws {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        let status = group.machine.status
        let data = try JSONEncoder().encode(status)
        let decoded = try JSONDecoder().decode(GroupStatus.self, from: data)
        #expect(decoded == status)

        var restarted = GroupStateMachine(restoring: decoded, config: group.machine.config, now: group.now)
        let first = restarted.handle(.tick, now: group.now)
        #expect(first.has(.stopIOThread("b")) && first.has(.stopIOThread("c")), "nothing was promoted: isolate again")
        #expect(restarted.word.primary == nil && restarted.word.term == status.term)
        #expect(restarted.status.failover?.oldPrimarySafety == .deathProven, "proof is durable")
    }

    @Test func restartAfterPromotionKeepsTheSameCandidate() {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        group.complete(.succeeded(H.replica("b", "u:1-10", io: .no))) { if case .drainRelayLog = $0 { true } else { false } }
        group.report("b")  // promote(b) issued; the controller dies before its result
        var restarted = GroupStateMachine(restoring: group.machine.status, config: group.machine.config, now: group.now)
        #expect(restarted.status.failover?.step == .promoting("b"))
        let report = AgentReport(instance: "b", term: restarted.word.term, believedPrimary: "b", fence: .unfenced, server: .running(readOnly: false))
        let decision = restarted.handle(.agentReported(report), now: group.now + .seconds(1))
        #expect(decision.has(.promote("b")), "the same candidate is promoted again (idempotent), never another")
    }

    @Test func restartMidSwitchoverBeforePromotionRollsBack() {
        var group = H()
        group.settle()
        group.handle(.switchoverRequested(target: "b"))
        group.complete(.setReadOnly("a"), .succeeded(H.primary("a", "u:1-10", writable: false)))
        var restarted = GroupStateMachine(restoring: group.machine.status, config: group.machine.config, now: group.now)
        #expect(restarted.status.switchover?.step == .rollingBack)
        #expect(restarted.word.allowsWrites(by: "a"))
        let report = AgentReport(instance: "a", term: restarted.word.term, believedPrimary: "a", fence: .unfenced, server: .running(readOnly: true))
        let decision = restarted.handle(.agentReported(report), now: group.now + .seconds(1))
        #expect(decision.has(.setWritable("a")))
    }
}
