import Testing
@testable import VigilVerify

@Suite struct SplitBrainTests {
    private func history(_ log: OperationLog, transitions: [RoleTransition]) -> History {
        History(
            workload: .uniqueInserts, seed: 7, mode: "semisync", operations: log.operations,
            faults: [FaultPeriod(kind: "pause-primary", target: "db1", startMs: 900, endMs: 1500)],
            transitions: transitions,
            finalReads: [FinalRead(instance: "db2", role: "primary", insertedKeys: inserts(History(
                workload: .uniqueInserts, seed: 0, mode: "", operations: log.operations)))])
    }

    @Test func zombiePrimaryAcknowledgingAfterTheNewOneIsFlagged() {
        var log = OperationLog()
        log.insert(1, at: 100, on: "db1")
        let newFirst = log.insert(2, at: 1100, on: "db2")
        let zombie = log.insert(3, at: 1200, on: "db1")
        let newSecond = log.insert(4, at: 1300, on: "db2")
        let report = Checker.check(history(log, transitions: [RoleTransition(atMs: 1000, from: "db1", to: "db2", kind: "failover")]))
        #expect(report.splitBrain.count == 1)
        let window = report.splitBrain[0]
        #expect(window.servers == ["db1", "db2"])
        #expect(window.startMs == 1105)
        #expect(window.endMs == 1305)
        #expect(window.operationIDs == [newFirst, zombie, newSecond])
        #expect(window.evidence.contains(SplitBrainEvidence(earlier: newFirst, earlierServer: "db2", later: zombie, laterServer: "db1")))
        #expect(report.verdict.passed == false)
        #expect(report.verdict.reasons.contains("1 split-brain window(s)"))
    }

    @Test func returnToTheOldPrimaryWithoutATransitionIsFlagged() {
        var log = OperationLog()
        log.insert(1, at: 100, on: "db1")
        let onB = log.insert(2, at: 2100, on: "db2")
        let back = log.insert(3, at: 3000, on: "db1")
        let transitions = [RoleTransition(atMs: 2000, from: "db1", to: "db2", kind: "switchover")]
        let flagged = Checker.check(history(log, transitions: transitions))
        #expect(flagged.splitBrain.map(\.operationIDs) == [[onB, back]])
        // Recording the way back makes the same history clean.
        let clean = Checker.check(history(log, transitions: transitions + [RoleTransition(atMs: 2900, from: "db2", to: "db1", kind: "switchover")]))
        #expect(clean.splitBrain.isEmpty)
    }

    @Test func cleanFailoverIsNotFlaggedEvenWithAcknowledgementsInFlight() {
        var log = OperationLog()
        log.insert(1, at: 100, on: "db1")
        // Committed before the failover, acknowledged after it.
        log.add(.insert(key: 2), at: 990, done: 1050, server: "db1")
        log.insert(3, at: 1010, on: "db2")
        log.insert(4, at: 1060, on: "db2")
        let report = Checker.check(history(log, transitions: [RoleTransition(atMs: 1000, from: "db1", to: "db2", kind: "failover")]))
        #expect(report.splitBrain.isEmpty)
    }

    @Test func concurrentAcknowledgementsAreNotProof() {
        // Overlapping operations on two servers: neither happened before the other.
        var log = OperationLog()
        log.add(.insert(key: 1), at: 100, done: 300, server: "db1")
        log.add(.insert(key: 2), at: 200, done: 400, server: "db2")
        let report = Checker.check(history(log, transitions: [RoleTransition(atMs: 250, from: "db1", to: "db2", kind: "failover")]))
        #expect(report.splitBrain.isEmpty)
    }

    @Test func lateRecordedTransitionNeedsSlack() {
        var log = OperationLog()
        log.insert(1, at: 100, on: "db1")
        log.insert(2, at: 1000, on: "db2")
        log.insert(3, at: 2000, on: "db1")
        let transitions = [
            RoleTransition(atMs: 900, from: "db1", to: "db2", kind: "switchover"),
            RoleTransition(atMs: 2100, from: "db2", to: "db1", kind: "switchover"),
        ]
        #expect(Checker.check(history(log, transitions: transitions)).splitBrain.count == 1)
        #expect(Checker.check(history(log, transitions: transitions), options: CheckOptions(transitionSlackMs: 200)).splitBrain.isEmpty)
    }
}
