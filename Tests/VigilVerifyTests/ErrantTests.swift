import Testing
@testable import VigilVerify

@Suite struct ErrantTests {
    @Test func mariaDBErrantAndDivergentHistoriesAreFound() {
        var history = cleanFailoverHistory().history
        history.finalReads[0].gtidExecuted = "0-1-21"  // db1 wrote past the primary
        history.finalReads[2].gtidExecuted = "0-3-17"  // db3 same sequence, other server
        let report = Checker.check(history)
        #expect(report.errantTransactions == [
            ErrantTransactions(instance: "db1", gtidExecuted: "0-1-21", errant: "0-1-21", divergentDomains: []),
            ErrantTransactions(instance: "db3", gtidExecuted: "0-3-17", errant: "", divergentDomains: [0]),
        ])
        #expect(report.verdict.passed, "errant transactions are reported, not part of the verdict")
    }

    @Test func aDeposedPrimarysOwnTailIsFoundThroughTheAcknowledgedGTIDs() {
        // db1 kept its unacknowledged 0-1-6 after the failover; db2 then wrote (and a client saw
        // acknowledged) 0-2-6 and went on to 0-2-9. Positions alone cannot tell: db1's sequence
        // is behind the primary's and no sequence matches.
        var history = cleanFailoverHistory().history
        history.operations[8].gtid = "0-2-6"
        history.finalReads[0].gtidExecuted = "0-1-6"
        history.finalReads[1].gtidExecuted = "0-2-9"
        history.finalReads[2].gtidExecuted = "0-2-9"
        let report = Checker.check(history)
        #expect(report.errantTransactions == [
            ErrantTransactions(instance: "db1", gtidExecuted: "0-1-6", errant: "", divergentDomains: [],
                               divergentFromAcknowledged: ["0-1-6"]),
        ])
        // The same position written by the server the acknowledgement names is history, not errant.
        history.finalReads[0].gtidExecuted = "0-2-6"
        #expect(Checker.check(history).errantTransactions.isEmpty)
    }

    @Test func mySQLErrantTransactionsAreFound() {
        var history = cleanFailoverHistory().history
        let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
        history.finalReads[1].gtidExecuted = "\(uuid):1-10"
        history.finalReads[0].gtidExecuted = "\(uuid):1-12"
        history.finalReads[2].gtidExecuted = "\(uuid):1-9"
        let report = Checker.check(history)
        #expect(report.errantTransactions.map(\.instance) == ["db1"])
        #expect(report.errantTransactions.first?.errant == "\(uuid):11-12")
    }

    @Test func unparseableGTIDsBecomeNotes() {
        var history = cleanFailoverHistory().history
        history.finalReads[0].gtidExecuted = "garbage"
        let report = Checker.check(history)
        #expect(report.errantTransactions.isEmpty)
        #expect(report.notes == ["cannot parse gtid_executed of db1: garbage"])
    }
}
