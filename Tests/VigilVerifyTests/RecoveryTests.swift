import Testing
@testable import VigilVerify

@Suite struct RecoveryTests {
    @Test func rtoIsFaultStartToTheFirstAcknowledgementOfAWriteInvokedAfterIt() {
        let report = Checker.check(cleanFailoverHistory().history)
        let faults = report.recovery.faults
        #expect(faults.map(\.rtoMs) == [2014, 28, 13])
        #expect(faults[0].firstWrite == cleanFailoverHistory().ids["db2-9"])
        #expect(report.recovery.byKind["kill-primary"] == RTOStats([2014], faults: 1))
        #expect(report.recovery.byKind["switchover"]?.p50Ms == 13)
        #expect(report.recovery.byKind["switchover"]?.maxMs == 28)
        #expect(report.recovery.overall.p95Ms == 2014)
    }

    @Test func faultWithoutRecoveryHasNoRTO() {
        var log = OperationLog()
        log.insert(1, at: 100, on: "db1")
        let history = History(
            workload: .uniqueInserts, seed: 1, mode: "semisync", operations: log.operations,
            faults: [FaultPeriod(kind: "kill-primary", startMs: 500)],
            finalReads: [FinalRead(instance: "db1", role: "primary", insertedKeys: [1])])
        let report = Checker.check(history)
        #expect(report.recovery.faults.first?.rtoMs == nil)
        #expect(report.recovery.overall == RTOStats([], faults: 1))
        #expect(report.recovery.overall.recovered == 0)
    }

    @Test func nearestRankPercentiles() {
        let values = (1...20).map(Int64.init)
        #expect(RTOStats.nearestRank(50, values) == 10)
        #expect(RTOStats.nearestRank(95, values) == 19)
        #expect(RTOStats.nearestRank(100, values) == 20)
        #expect(RTOStats.nearestRank(50, [7]) == 7)
        #expect(RTOStats.nearestRank(95, [1, 2]) == 2)
        #expect(RTOStats.nearestRank(50, []) == nil)
    }

    @Test func failoverWithoutARecentFaultIsAFalsePositive() {
        var history = cleanFailoverHistory().history
        let spurious = RoleTransition(atMs: 40_000, from: "db2", to: "db1", kind: "failover")
        history.transitions.append(spurious)
        // Switchovers are requested, never false positives.
        history.transitions.append(RoleTransition(atMs: 90_000, from: "db1", to: "db2", kind: "switchover"))
        #expect(Checker.check(history).falsePositiveFailovers == [spurious])
        #expect(Checker.check(history, options: CheckOptions(failoverWindowMs: 40_000)).falsePositiveFailovers.isEmpty)
        // Informational: it does not fail the run.
        #expect(Checker.check(history).verdict.passed)
    }
}
