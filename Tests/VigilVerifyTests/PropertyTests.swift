import PropertyBased
import Testing
@testable import VigilVerify

@Suite struct PropertyTests {
    @Test func cleanSimulatedHistoriesNeverShowALossOrASplitBrain() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int.max)) { seed in
            let history = SimulatedHistory.make(seed: UInt64(seed))
            let report = Checker.check(history)
            #expect(report.lostWrites.isEmpty, "seed \(seed)")
            #expect(report.splitBrain.isEmpty, "seed \(seed)")
            #expect(report.listAppend?.hasOrderingAnomaly != true, "seed \(seed)")
            #expect(report.verdict.passed, "seed \(seed): \(report.verdict.reasons)")
        }
    }

    @Test func droppingOneAcknowledgedWriteIsExactlyThatLoss() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...Int.max)) { seed, pick in
            var history = SimulatedHistory.make(seed: UInt64(seed))
            let acknowledged = history.operations.filter(\.isAcknowledgedWrite)
            guard !acknowledged.isEmpty else { return }
            let victim = acknowledged[pick % acknowledged.count]
            let index = history.finalReads.firstIndex { $0.role == "primary" }!
            switch victim.op {
            case .insert(let key): history.finalReads[index].insertedKeys!.removeAll { $0 == key }
            case .append(let key, let value): history.finalReads[index].lists![key]!.removeAll { $0 == value }
            default: Issue.record("unexpected write \(victim.op)")
            }
            let report = Checker.check(history)
            #expect(report.lostWrites.map(\.operationID) == [victim.id], "seed \(seed)")
            #expect(report.splitBrain.isEmpty, "seed \(seed)")
            #expect(!report.verdict.passed, "seed \(seed)")
        }
    }

    @Test func aZombieAcknowledgementAfterTheLastHandOverIsAlwaysASplitBrain() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int.max)) { seed in
            var history = SimulatedHistory.make(seed: UInt64(seed))
            guard let last = history.transitions.last, let old = last.from else { return }
            // An acknowledgement by the new primary that completed after the hand-over...
            guard let proof = history.operations
                .filter({ $0.isAcknowledgedWrite && $0.server == last.to && $0.invokedAtMs > last.atMs })
                .min(by: { $0.completedAtMs! < $1.completedAtMs! }) else { return }
            // ...then the old primary acknowledges a write invoked after it.
            let id = history.operations.count + 1
            let start = proof.completedAtMs! + 1
            let zombieKey = 1_000_000 + id
            let isList = history.workload != .uniqueInserts
            history.operations.append(Operation(
                id: id, client: 99, op: isList ? .append(key: 0, value: zombieKey) : .insert(key: zombieKey),
                invokedAtMs: start, completedAtMs: start + 2, outcome: .ok, server: old))
            let index = history.finalReads.firstIndex { $0.role == "primary" }!
            if isList { history.finalReads[index].lists![0, default: []].append(zombieKey) }
            else { history.finalReads[index].insertedKeys!.append(zombieKey) }

            let report = Checker.check(history)
            let window = report.splitBrain.first { $0.operationIDs.contains(id) && $0.servers == [old, last.to].sorted() }
            #expect(window != nil, "seed \(seed)")
            // The evidence is the zombie against an acknowledgement of the new primary that
            // completed before it began (`proof` or one that completed at the same instant).
            #expect(window?.evidence.contains { $0.later == id && $0.earlierServer == last.to } == true, "seed \(seed)")
            #expect(report.lostWrites.isEmpty, "seed \(seed)")
            #expect(!report.verdict.passed, "seed \(seed)")
        }
    }

    /// Guards the generator itself: the properties above mean little unless histories really
    /// contain hand-overs, operations in flight across them, unknowns, reads and lagging replicas.
    @Test func simulatedHistoriesExerciseTheInterestingCases() {
        var transitions = 0, spanning = 0, unknown = 0, reads = 0, gaps = 0, lists = 0
        for seed in 0..<200 {
            let history = SimulatedHistory.make(seed: UInt64(seed))
            transitions += history.transitions.count
            spanning += history.operations.filter { op in
                op.isAcknowledgedWrite && history.transitions.contains { op.invokedAtMs < $0.atMs && $0.atMs <= op.completedAtMs! }
            }.count
            unknown += history.operations.filter { $0.outcome == .unknown }.count
            reads += history.operations.filter { if case .readList(_, _?) = $0.op { true } else { false } }.count
            gaps += Checker.check(history).replicationGaps.count
            if history.workload != .uniqueInserts { lists += 1 }
        }
        #expect(transitions > 200)
        #expect(spanning > 20)
        #expect(unknown > 20)
        #expect(reads > 1_000)
        #expect(gaps > 100)
        #expect(lists > 50 && lists < 150)
    }
}
