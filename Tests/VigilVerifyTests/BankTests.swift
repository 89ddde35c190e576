import Testing
@testable import VigilVerify

@Suite struct BankTests {
    private func bank(_ log: OperationLog, final: [Int: Int], ledger: [Int]?) -> History {
        History(
            workload: .bank(accounts: 3, initialBalance: 100), seed: 3, mode: "semisync", operations: log.operations,
            finalReads: [FinalRead(instance: "db1", role: "primary", balances: final, transfers: ledger)])
    }

    @Test func cleanBankPasses() {
        var log = OperationLog()
        let t1 = log.add(.transfer(from: 0, to: 1, amount: 30), at: 10, done: 20)
        log.add(.readBalances([0: 70, 1: 130, 2: 100]), at: 30, done: 35)
        let t2 = log.add(.transfer(from: 1, to: 2, amount: 5), at: 40, done: nil, .unknown)
        let report = Checker.check(bank(log, final: [0: 70, 1: 125, 2: 105], ledger: [t1, t2]))
        #expect(report.bank == BankFindings(expectedTotal: 300, drift: [], negativeBalances: []))
        #expect(report.unknownWrites.landed == [t2])
        #expect(report.verdict.passed)
    }

    @Test func driftAndNegativeBalancesAreFound() {
        var log = OperationLog()
        let t1 = log.add(.transfer(from: 0, to: 1, amount: 30), at: 10, done: 20)
        let drifting = log.add(.readBalances([0: 70, 1: 140, 2: 100]), at: 30, done: 35)
        let negative = log.add(.readBalances([0: -10, 1: 210, 2: 100]), at: 40, done: 45)
        log.add(.readBalances(nil), at: 50, done: 55, .fail)
        let report = Checker.check(bank(log, final: [0: 70, 1: 130, 2: 90], ledger: [t1]))
        let findings = report.bank!
        #expect(findings.drift == [
            BalanceDrift(source: ReadSource(operationID: drifting), total: 310),
            BalanceDrift(source: ReadSource(instance: "db1"), total: 290),
        ])
        #expect(findings.negativeBalances == [NegativeBalance(source: ReadSource(operationID: negative), account: 0, balance: -10)])
        #expect(report.verdict.passed == false)
    }

    @Test func acknowledgedTransferMissingFromTheLedgerIsLost() {
        var log = OperationLog()
        let t1 = log.add(.transfer(from: 0, to: 1, amount: 30), at: 10, done: 20)
        let t2 = log.add(.transfer(from: 2, to: 1, amount: 10), at: 30, done: 40)
        let report = Checker.check(bank(log, final: [0: 70, 1: 130, 2: 100], ledger: [t1]))
        #expect(report.lostWrites.map(\.operationID) == [t2])
        #expect(report.lostWrites.first?.kind == "transfer")
        #expect(report.verdict.passed == false)
    }

    @Test func withoutALedgerTransferLossIsUndecidableAndCannotPass() {
        var log = OperationLog()
        log.add(.transfer(from: 0, to: 1, amount: 30), at: 10, done: 20)
        let report = Checker.check(bank(log, final: [0: 70, 1: 130, 2: 100], ledger: nil))
        #expect(report.notes.contains { $0.contains("transfer") })
        #expect(report.verdict.passed == false)
    }
}
