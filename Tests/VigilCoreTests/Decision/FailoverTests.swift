import Testing
import VigilCore

private typealias H = GroupHarness

@Suite struct FailoverTests {
    /// kill -9: the agent on a live host says mysqld exited; no lease wait.
    @Test func provenDeathFailsOverAtOnce() throws {
        var group = H()
        group.settle()
        #expect(group.state == .healthy)
        let start = group.report("a", server: .exited)
        #expect(start.codes.contains(.failoverStarted))
        #expect(start.codes.contains(.oldPrimaryDeathProven))
        #expect(start.has(.stopIOThread("b")) && start.has(.stopIOThread("c")))
        #expect(!start.has(.fence("a")), "a dead primary is not fenced")
        #expect(group.machine.word.primary == nil, "the old primary is deposed in the word")
        #expect(start.kinds.contains(.pokeAgent("b")), "agents are asked to fetch the new term at once")

        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        let chosen = group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-8", io: .no)))
        #expect(chosen.codes.contains(.candidateChosen))
        #expect(chosen.has { if case .drainRelayLog("b", _) = $0 { true } else { false } })

        let drained = group.complete(.succeeded(H.replica("b", "u:1-10", io: .no))) {
            if case .drainRelayLog = $0 { true } else { false }
        }
        #expect(drained.codes.contains(.promotionIssued))
        #expect(!drained.has(.promote("b")), "promotion waits for b's agent to hold the word")
        #expect(group.machine.word == ControllerWord(term: group.machine.status.term, primary: "b", primaryMayWrite: true))

        let promote = group.report("b")
        #expect(promote.has(.promote("b")))
        let confirm = group.complete(.promote("b"), .succeeded(H.primary("b", "u:1-10")))
        #expect(confirm.has(.confirmWritable("b")))
        #expect(group.state == .confirming)
        let moved = group.complete(.confirmWritable("b"), .succeeded(H.primary("b", "u:1-11")))
        #expect(moved.has(.moveTraffic(primary: "b", replicas: ["c"])))
        #expect(moved.has(.repoint("c", to: "b")))
        #expect(group.machine.status.cooldownUntil == group.now + .seconds(300))

        group.complete(.moveTraffic(primary: "b", replicas: ["c"]), .succeeded(nil))
        let done = group.complete(.repoint("c", to: "b"), .succeeded(H.replica("c", "u:1-10", source: "b")))
        #expect(done.codes.contains(.failoverCompleted))
        let record = try #require(group.machine.status.lastFailover)
        #expect(record.from == "a" && record.to == "b" && record.reason == .deathProven)
        #expect(record.promotionGTIDs == H.gtids("u:1-10"))
        #expect(record.pendingRejoin == ["a"])
        #expect(record.steps.map(\.step) == ["isolating", "choosing", "draining", "promoting", "confirming", "repointing"])
        #expect(done.has { if case .recordFailover = $0 { true } else { false } })
        #expect(group.machine.status.pendingRejoin["a"]?.forkPoint == H.gtids("u:1-10"))
    }

    /// Unreachable but maybe alive: wait until its lease has certainly run out.
    @Test func silentPrimaryWaitsForItsLease() throws {
        var group = H()
        group.settle()
        group.loseThePrimary(rounds: 2)
        let lastNamed = group.now  // c's report, answered with a word still naming a
        group.probe(H.down("a"), H.replica("b", "u:1-10", io: .connecting), H.replica("c", "u:1-10", io: .connecting))
        #expect(group.last.codes.contains(.failoverStarted))
        #expect(group.last.has(.fence("a")), "the old primary is fenced if it answers")
        #expect(group.last.has(.pokeAgent("b")))
        group.complete(.fence("a"), .failed("connection timed out"))
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        let waiting = group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        // c was last told a may write at `lastNamed`; it may vouch for a up to 30 s after that.
        let contract = LeaseContract()
        let until = contract.promotionAllowed(afterLastRenewal: lastNamed + contract.peerVouchWindow!)
        #expect(group.state == .failingOver(.awaitingLease(until: until)))
        #expect(waiting.has(.waitUntil(until, why: .leaseExpiry)))
        #expect(waiting.wakeAt.map { $0 <= until } == true)

        // The replicas' agents report the new term: they stopped vouching, the wait shrinks.
        group.report("b", primaryReachable: false)
        let shorter = group.report("c", primaryReachable: false)
        let revoked = group.now
        let newUntil = contract.promotionAllowed(afterLastRenewal: revoked)
        #expect(group.state == .failingOver(.awaitingLease(until: newUntil)))
        #expect(shorter.codes.contains(.awaitingLease))

        let early = group.tick(newUntil - group.now - .milliseconds(1))
        #expect(!early.codes.contains(.leaseExpired))
        let expired = group.tick(.milliseconds(1))
        #expect(expired.codes.contains(.leaseExpired))
        #expect(expired.codes.contains(.candidateChosen))
        #expect(group.machine.status.failover?.oldPrimarySafety == .leaseExpired)
    }

    @Test func answeringOldPrimaryIsFencedAndNotWaitedFor() throws {
        var group = H()
        group.settle()
        group.loseThePrimary()
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        let fenced = group.complete(.fence("a"), .succeeded(H.primary("a", "u:1-12", writable: false)))
        #expect(fenced.codes.contains(.oldPrimaryFenced))
        #expect(fenced.codes.contains(.candidateChosen))
        #expect(group.machine.status.failover?.oldPrimaryLastExecuted == H.gtids("u:1-12"))
    }

    /// The old primary's agent heard the new term and confirmed its fence: proof enough.
    @Test func deposedAndFencedAgentEndsTheWait() {
        var group = H()
        group.settle()
        group.loseThePrimary()
        group.complete(.fence("a"), .failed("timeout"))
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        #expect(group.state.name == "failingOver")
        let decision = group.report("a", server: .notAnswering, fence: .fenced)
        #expect(decision.codes.contains(.oldPrimaryKnowsDeposed))
        #expect(decision.codes.contains(.candidateChosen))
    }

    @Test func controllerOnlyBlipStartsNothing() {
        var group = H()
        group.settle()
        for _ in 0..<5 {
            group.probe(H.down("a"), H.replica("b", "u:1-10"), H.replica("c", "u:1-10"))
        }
        #expect(group.state == .suspect)
        #expect(group.last.reason.code == .controllerOnlyBlip)
        #expect(group.machine.status.operation == nil)
        // One replica's agent losing it is not enough while the other still sees it.
        group.report("b", primaryReachable: false)
        group.report("c", primaryReachable: true)
        group.probe(H.down("a"), H.replica("b", "u:1-10", io: .connecting), H.replica("c", "u:1-10"))
        #expect(group.machine.status.operation == nil)
    }

    @Test func missedProbesBelowThresholdAreOnlySuspect() {
        var group = H()
        group.settle()
        group.probe(H.down("a"), H.replica("b", "u:1-10", io: .connecting), H.replica("c", "u:1-10", io: .connecting))
        #expect(group.state == .suspect)
        group.probe(H.primary("a", "u:1-11"), H.replica("b", "u:1-11"), H.replica("c", "u:1-11"))
        #expect(group.state == .healthy)
    }

    /// Semi-sync: a replica nobody can read may hold acknowledged writes.
    @Test func unreachableReplicaBlocksInSemiSync() throws {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        let blocked = group.complete(.stopIOThread("c"), .failed("unreachable"))
        #expect(group.state == .blocked(.replicasUnaccounted(["c"])))
        #expect(blocked.codes.contains(.replicasUnaccounted))
        // c answers again: it is isolated too, and the failover goes on.
        let back = group.probe(H.down("a"), H.replica("b", "u:1-10", io: .no), H.replica("c", "u:1-12", io: .connecting))
        #expect(back.has(.stopIOThread("c")))
        let chosen = group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-12", io: .no)))
        #expect(chosen.has { if case .drainRelayLog("c", _) = $0 { true } else { false } }, "c holds more: it is the candidate")
    }

    @Test func asyncPromotesWithoutTheUnreachableReplicaAndRecordsLoss() throws {
        var group = H(replication: .async)
        group.settle(primaryGTIDs: "u:1-10")
        group.probe(H.primary("a", "u:1-14"), H.replica("b", "u:1-10"), H.replica("c", "u:1-10"))
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        let chosen = group.complete(.stopIOThread("c"), .failed("unreachable"))
        #expect(chosen.codes.contains(.candidateChosen))
        group.complete(.succeeded(H.replica("b", "u:1-10", io: .no))) { if case .drainRelayLog = $0 { true } else { false } }
        group.report("b")
        group.complete(.promote("b"), .succeeded(H.primary("b", "u:1-10")))
        let moved = group.complete(.confirmWritable("b"), .succeeded(H.primary("b", "u:1-10")))
        #expect(!moved.has(.repoint("c", to: "b")), "c was never read: it is checked when it returns")
        group.complete(.moveTraffic(primary: "b", replicas: []), .succeeded(nil))
        let record = try #require(group.machine.status.lastFailover)
        #expect(record.lostTransactions == H.gtids("u:11-14"))
        #expect(Set(record.pendingRejoin) == ["a", "c"])
    }

    @Test func divergentReplicaIsQuarantinedNotRepointed() throws {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        // c holds an errant local write (x:1) but lacks u:9-10: nobody holds everything.
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-8,x:1", io: .no)))
        #expect(group.state == .blocked(.noCandidate(.noCompleteReplica)))
        #expect(group.machine.status.failover?.candidate == nil)
        // The operator picks b, accepting that c's write is not in the new history.
        group.handle(.operatorCommand(.forcePromote("b")))
        group.complete(.succeeded(H.replica("b", "u:1-10", io: .no))) { if case .drainRelayLog = $0 { true } else { false } }
        group.report("b")
        group.complete(.promote("b"), .succeeded(H.primary("b", "u:1-10")))
        let moved = group.complete(.confirmWritable("b"), .succeeded(H.primary("b", "u:1-10")))
        #expect(moved.has(.quarantine("c", errant: H.gtids("x:1"))))
        #expect(group.machine.status.quarantined["c"]?.errant == H.gtids("x:1"))
        #expect(group.machine.status.operatorLog.last?.command == .forcePromote("b"))
    }

    @Test func candidateThatDiesBeforePromotionIsReplaced() throws {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        #expect(group.machine.status.failover?.candidate == "b")
        group.report("b", server: .exited)
        let died = group.complete(.failed("connection refused")) { if case .drainRelayLog("b", _) = $0 { true } else { false } }
        #expect(died.has { if case .drainRelayLog("c", _) = $0 { true } else { false } })
    }
}
