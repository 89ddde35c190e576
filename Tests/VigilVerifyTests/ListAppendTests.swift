import Testing
@testable import VigilVerify

@Suite struct ListAppendTests {
    private func lists(_ log: OperationLog, final: [Int: [Int]]) -> History {
        History(
            workload: .listAppend(keys: 2), seed: 5, mode: "semisync", operations: log.operations,
            finalReads: [FinalRead(instance: "db1", role: "primary", lists: final)])
    }

    @Test func cleanListsPassIncludingConcurrentAppendsInEitherOrder() {
        var log = OperationLog()
        log.add(.append(key: 1, value: 1), at: 10, done: 20)
        log.add(.append(key: 1, value: 2), at: 30, done: 60)
        log.add(.append(key: 1, value: 3), at: 40, done: 50, client: 1)
        log.add(.readList(key: 1, values: [1, 3, 2]), at: 70, done: 75)
        let report = Checker.check(lists(log, final: [1: [1, 3, 2]]))
        #expect(report.listAppend == ListAppendFindings(lostAppends: [], duplicates: [], reorders: []))
        #expect(report.verdict.passed)
    }

    @Test func lostDuplicatedAndReorderedElementsAreFound() {
        var log = OperationLog()
        let a1 = log.add(.append(key: 1, value: 1), at: 10, done: 20)
        let a2 = log.add(.append(key: 1, value: 2), at: 30, done: 40)
        let a3 = log.add(.append(key: 1, value: 3), at: 50, done: 60)
        log.add(.readList(key: 1, values: [1, 2, 3]), at: 70, done: 75)
        let reordered = log.add(.readList(key: 1, values: [2, 1, 3]), at: 80, done: 85)
        let duplicated = log.add(.readList(key: 1, values: [1, 1, 2]), at: 90, done: 95)
        let report = Checker.check(lists(log, final: [1: [1, 2]]))
        let findings = report.listAppend!
        #expect(findings.lostAppends == [a3])
        #expect(report.lostWrites.map(\.operationID) == [a3])
        #expect(findings.reorders == [ListReorder(
            source: ReadSource(operationID: reordered), key: 1, earlier: a1, earlierValue: 1, later: a2, laterValue: 2)])
        #expect(findings.duplicates == [ListDuplicate(source: ReadSource(operationID: duplicated), key: 1, value: 1)])
        #expect(report.verdict.passed == false)
        #expect(report.verdict.reasons.contains("1 reordered list element pair(s)"))
        #expect(report.verdict.reasons.contains("1 duplicated list element(s)"))
    }

    @Test func reorderInTheFinalStateIsFound() {
        var log = OperationLog()
        let a1 = log.add(.append(key: 2, value: 10), at: 10, done: 20)
        let a2 = log.add(.append(key: 2, value: 11), at: 30, done: nil, .unknown)
        let report = Checker.check(lists(log, final: [2: [11, 10]]))
        #expect(report.listAppend?.reorders == [ListReorder(
            source: ReadSource(instance: "db1"), key: 2, earlier: a1, earlierValue: 10, later: a2, laterValue: 11)])
    }
}
