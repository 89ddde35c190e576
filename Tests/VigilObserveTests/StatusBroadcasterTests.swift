import Foundation
import Testing
import VigilObserve

/// The broadcaster in memory: what a subscriber gets, and that a full buffer drops its
/// subscriber instead of making the publisher wait.
struct StatusBroadcasterTests {
    @Test func aNewSubscriberGetsTheLatestSnapshotFirst() async {
        let b = StatusBroadcaster()
        b.publish("one")
        b.publish("two")
        let s = b.subscribe()!
        #expect(await s.next() == "two")
        b.publish("three")
        #expect(await s.next() == "three")
    }

    @Test func identicalSnapshotsAreNotSentTwice() async {
        let b = StatusBroadcaster()
        let s = b.subscribe()!
        b.publish("a")
        b.publish("a")
        b.publish("b")
        #expect(await s.next() == "a")
        #expect(await s.next() == "b")
        #expect(b.stats.published == 2)
    }

    @Test func aFullBufferDropsOnlyThatSubscriberAndPublishNeverWaits() async {
        let b = StatusBroadcaster(configuration: .init(maxClients: 10, bufferPerClient: 4))
        let dropped = Flag()
        let slow = b.subscribe(onDrop: { dropped.set() })!
        let fast = b.subscribe()!
        var received: [String] = []
        for i in 0..<20 {
            b.publish("m\(i)")  // synchronous: returns at once whatever the subscribers do
            received.append(await fast.next() ?? "nil")
        }
        #expect(received == (0..<20).map { "m\($0)" })
        #expect(dropped.isSet)
        #expect(slow.wasDropped)
        #expect(!fast.wasDropped)
        #expect(b.stats.dropped == 1)
        #expect(b.stats.clients == 1)
        // The dropped one drains what it had, then ends.
        var rest: [String] = []
        while let m = await slow.next() { rest.append(m) }
        #expect(rest.isEmpty || rest.count <= 4)
    }

    @Test func theClientCapRefusesMoreSubscribersUntilOneLeaves() {
        let b = StatusBroadcaster(configuration: .init(maxClients: 2, bufferPerClient: 4))
        let first = b.subscribe()
        let second = b.subscribe()
        #expect(first != nil && second != nil)
        #expect(b.subscribe() == nil)
        #expect(!b.hasRoom)
        #expect(b.stats.refused == 1)
        first?.cancel()
        #expect(b.hasRoom)
        #expect(b.subscribe() != nil)
    }

    @Test func aCancelledReaderWakesWithNil() async {
        let b = StatusBroadcaster()
        let s = b.subscribe()!
        let reader = Task { await s.next() }
        try? await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(b.stats.clients == 0)
    }

    @Test func timelineActionsEndByIDAndUnfinishedOnesAreMarked() {
        var t = OperationTimeline(kind: "failover", from: "db0", to: nil, reason: "deathProven", startedAtMs: 1000)
        t.actionStarted(id: 1, name: "fence", instance: "db0", atMs: 1000)
        t.actionStarted(id: 2, name: "stopIOThread", instance: "db1", atMs: 1005)
        let endedKnown = t.actionEnded(id: 2, succeeded: true, atMs: 1020)
        let endedUnknown = t.actionEnded(id: 9, succeeded: true, atMs: 1020)
        #expect(endedKnown && !endedUnknown)
        t.setPhases([("isolating", 1000, 1030)], current: ("promoting", 1030))
        t.finish(outcome: "completed", to: "db1", atMs: 1100)
        #expect(t.actions.map(\.outcome) == ["unfinished", "succeeded"])
        #expect(t.actions[1].offsetMs == 5 && t.actions[1].durationMs == 15)
        #expect(t.durationMs == 100 && t.to == "db1")
        #expect(t.phases.map(\.name) == ["isolating", "promoting"])
    }

    @Test func theEventRingKeepsTheLastOnes() {
        var ring = EventRing(capacity: 3)
        for i in 0..<5 { ring.append(ObservedEvent(at: "t", kind: "decision", text: "e\(i)")) }
        #expect(ring.events.map(\.text) == ["e2", "e3", "e4"])
    }
}

/// A flag set from a `@Sendable` callback (a lock makes the unchecked conformance sound).
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
