import Foundation
import Testing
@testable import VigilVerify

@Suite struct CleanHistoryTests {
    @Test func cleanFailoverAndSwitchoverThereAndBackPass() throws {
        let (history, ids) = cleanFailoverHistory()
        let report = Checker.check(history)
        #expect(report.finalPrimary == "db2")
        #expect(report.lostWrites.isEmpty)
        #expect(report.splitBrain.isEmpty)
        #expect(report.failedButLanded.isEmpty)
        #expect(report.falsePositiveFailovers.isEmpty)
        #expect(report.errantTransactions.isEmpty)
        #expect(report.unknownWrites == UnknownWrites(landed: [ids["unknownLanded"]!], notLanded: [ids["unknownLost"]!], undetermined: []))
        // db3 lagging is a replication gap, not a loss.
        #expect(report.replicationGaps == [ReplicationGap(instance: "db3", role: "replica", missingOperationIDs: [ids["db2-17"]!])])
        #expect(report.notes.isEmpty)
        #expect(report.verdict == Verdict(passed: true, lossAllowedInAsync: false, reasons: []))
    }

    @Test func reportRoundTripsThroughJSON() throws {
        let report = Checker.check(cleanFailoverHistory().history)
        let decoded = try JSONDecoder().decode(Report.self, from: report.jsonData())
        #expect(decoded == report)
        let history = cleanFailoverHistory().history
        #expect(try JSONDecoder().decode(History.self, from: JSONEncoder().encode(history)) == history)
    }

    @Test func summaryNamesTheEssentials() {
        let history = cleanFailoverHistory().history
        let summary = Checker.summary(Checker.check(history), history: history)
        #expect(summary.contains("unique-inserts"))
        #expect(summary.contains("seed 42"))
        #expect(summary.contains("RTO kill-primary"))
        #expect(summary.contains("lost acknowledged writes: 0"))
        #expect(summary.contains("split-brain windows: 0"))
        #expect(summary.contains("verdict: PASSED"))
        #expect(summary.split(separator: "\n").count < 15)
    }
}

@Suite struct CodingTests {
    @Test func everyOperationShapeRoundTripsThroughJSON() throws {
        var log = OperationLog()
        log.add(.transfer(from: 0, to: 1, amount: 5), at: 1, done: 2, gtid: "0-1-3")
        log.add(.readBalances([0: 95, 1: 105]), at: 3, done: 4)
        log.add(.readBalances(nil), at: 5, done: nil, .unknown, server: nil)
        log.add(.append(key: 1, value: 9), at: 6, done: 7, .fail)
        log.add(.readList(key: 1, values: [9]), at: 8, done: 9)
        for workload in [Workload.bank(accounts: 2, initialBalance: 100), .listAppend(keys: 1), .uniqueInserts] {
            let history = History(
                workload: workload, seed: .max, mode: "async", operations: log.operations,
                faults: [FaultPeriod(kind: "kill-primary", startMs: 1)],
                transitions: [RoleTransition(atMs: 2, to: "db2", kind: "failover")],
                finalReads: [FinalRead(
                    instance: "db2", role: "primary", balances: [0: 95, 1: 105], lists: [1: [9]], transfers: [1],
                    gtidExecuted: "0-1-3")])
            let data = try JSONEncoder().encode(history)
            #expect(try JSONDecoder().decode(History.self, from: data) == history)
            let report = Checker.check(history)
            #expect(try JSONDecoder().decode(Report.self, from: report.jsonData()) == report)
        }
    }
}
