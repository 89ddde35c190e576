import Testing
@testable import VigilVerify

@Suite struct LossTests {
    @Test func acknowledgedInsertMissingFromTheFinalPrimaryIsLost() {
        var (history, ids) = cleanFailoverHistory()
        let lostID = ids["db2-10"]!
        history.finalReads[1].insertedKeys!.removeAll { $0 == 10 }
        let report = Checker.check(history)
        #expect(report.lostWrites.map(\.operationID) == [lostID])
        #expect(report.lostWrites.first?.key == 10)
        #expect(report.lostWrites.first?.server == "db2")
        #expect(report.verdict.passed == false)
        #expect(report.verdict.reasons.contains("1 acknowledged write(s) lost"))
        // Replicas that have it are not reported as gapped for a write the primary lost.
        #expect(report.replicationGaps.map(\.instance) == ["db3"])
    }

    @Test func failedWriteThatLandedIsReportedButDoesNotFail() {
        var (history, ids) = cleanFailoverHistory()
        history.finalReads[1].insertedKeys!.append(8)
        let report = Checker.check(history)
        #expect(report.failedButLanded.map(\.operationID) == [ids["failed"]!])
        #expect(report.lostWrites.isEmpty)
        #expect(report.verdict.passed)
    }

    @Test func unknownWritesAreSplitByWhetherTheyLanded() {
        var (history, ids) = cleanFailoverHistory()
        history.finalReads[1].insertedKeys!.append(7)
        history.finalReads[1].insertedKeys!.removeAll { $0 == 6 }
        let report = Checker.check(history)
        #expect(report.unknownWrites.landed == [ids["unknownLost"]!])
        #expect(report.unknownWrites.notLanded == [ids["unknownLanded"]!])
        #expect(report.lostWrites.isEmpty, "an unknown write never counts as lost")
    }

    @Test func asyncLossIsExcusedOnlyWhenTheCallerAllowsIt() {
        var (history, _) = cleanFailoverHistory()
        history.finalReads[1].insertedKeys!.removeAll { $0 == 3 }
        history.mode = "async"
        let strict = Checker.check(history)
        #expect(strict.verdict.passed == false)
        #expect(strict.verdict.lossAllowedInAsync == false)
        let allowed = Checker.check(history, options: CheckOptions(allowLoss: true))
        #expect(allowed.lostWrites.count == 1)
        #expect(allowed.verdict.passed)
        #expect(allowed.verdict.lossAllowedInAsync)
        history.mode = "semisync"
        #expect(Checker.check(history, options: CheckOptions(allowLoss: true)).verdict.passed == false)
    }

    @Test func noFinalPrimaryCannotPass() {
        var (history, ids) = cleanFailoverHistory()
        history.finalReads[1].reachable = false
        let report = Checker.check(history)
        #expect(report.finalPrimary == nil)
        #expect(report.unknownWrites.undetermined == [ids["unknownLanded"]!, ids["unknownLost"]!])
        #expect(report.verdict.passed == false)

        history.finalReads[1].reachable = true
        history.finalReads[0].role = "primary"
        #expect(Checker.check(history).verdict.reasons.contains { $0.contains("several instances") })
    }

    @Test func missingFinalDataCannotPass() {
        var (history, _) = cleanFailoverHistory()
        history.finalReads[1].insertedKeys = nil
        let report = Checker.check(history)
        #expect(report.lostWrites.isEmpty)
        #expect(report.verdict.passed == false)
    }

    @Test func aRunWithoutAcknowledgedWritesCannotPass() {
        let history = History(
            workload: .uniqueInserts, seed: 1, mode: "semisync", operations: [],
            finalReads: [FinalRead(instance: "db1", role: "primary", insertedKeys: [])])
        #expect(Checker.check(history).verdict.passed == false)
    }
}
