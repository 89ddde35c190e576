import Testing
import VigilCore

private typealias H = GroupHarness

@Suite struct SwitchoverTests {
    @Test func plannedSwitchoverHandsOverWithoutLoss() {
        var group = H()
        group.settle()
        let start = group.handle(.switchoverRequested(target: "c"))
        #expect(start.codes.contains(.switchoverStarted))
        #expect(start.has(.setReadOnly("a")))
        #expect(group.machine.word.primary == "a" && !group.machine.word.primaryMayWrite, "a may no longer write")
        #expect(group.state == .switchingOver(.settingReadOnly))

        let wait = group.complete(.setReadOnly("a"), .succeeded(H.primary("a", "u:1-12", writable: false)))
        #expect(wait.has { if case .waitForGTIDs("c", H.gtids("u:1-12"), _) = $0 { true } else { false } })
        let caughtUp = group.complete(.succeeded(H.replica("c", "u:1-12"))) { if case .waitForGTIDs = $0 { true } else { false } }
        #expect(caughtUp.codes.contains(.targetCaughtUp))
        #expect(!caughtUp.has(.promote("c")), "waits for c's agent to hold the word")
        #expect(group.report("c").has(.promote("c")))
        group.complete(.promote("c"), .succeeded(H.primary("c", "u:1-12")))
        let moved = group.complete(.confirmWritable("c"), .succeeded(H.primary("c", "u:1-12")))
        #expect(moved.has(.moveTraffic(primary: "c", replicas: ["a", "b"])))
        #expect(moved.has(.repoint("a", to: "c")), "the old primary becomes a replica")
        #expect(moved.has(.repoint("b", to: "c")))
        group.complete(.moveTraffic(primary: "c", replicas: ["a", "b"]), .succeeded(nil))
        group.complete(.repoint("a", to: "c"), .succeeded(H.replica("a", "u:1-12", source: "c")))
        let done = group.complete(.repoint("b", to: "c"), .succeeded(H.replica("b", "u:1-12", source: "c")))
        #expect(done.codes.contains(.switchoverCompleted))
        let record = group.machine.status.lastSwitchover!
        #expect(record.outcome == .completed && record.from == "a" && record.to == "c")
        #expect(record.writeBlockedMs > 0)
        #expect(group.machine.status.cooldownUntil == nil, "a switchover opens no anti-flap window")
    }

    @Test func timeoutRollsBackCleanly() {
        var group = H()
        group.settle()
        group.handle(.switchoverRequested(target: "b"))
        group.complete(.setReadOnly("a"), .succeeded(H.primary("a", "u:1-12", writable: false)))
        let rollback = group.complete(.failed("timed out")) { if case .waitForGTIDs = $0 { true } else { false } }
        #expect(rollback.codes.contains(.switchoverRollingBack))
        #expect(group.state == .switchingOver(.rollingBack))
        #expect(group.machine.word.allowsWrites(by: "a"))
        #expect(!rollback.has(.setWritable("a")), "waits for a's agent to hold the word again")
        #expect(group.report("a").has(.setWritable("a")))
        let done = group.complete(.setWritable("a"), .succeeded(H.primary("a", "u:1-12")))
        #expect(done.codes.contains(.switchoverRolledBack))
        #expect(!done.has { if case .moveTraffic = $0 { true } else { false } }, "traffic never moved")
        guard case .rolledBack(let why) = group.machine.status.lastSwitchover?.outcome else {
            Issue.record("not rolled back")
            return
        }
        #expect(why.contains("maxLagWait"))
    }

    @Test func refusals() {
        var group = H()
        group.settle()
        func refusal(_ target: String?, _ group: inout GroupHarness) -> String {
            let decision = group.handle(.switchoverRequested(target: target))
            #expect(decision.reason.code == .switchoverRefused)
            return decision.reason.detail
        }
        #expect(refusal("z", &group).contains("not a member"))
        #expect(refusal("a", &group).contains("already the primary"))
        group.probe(H.primary("a", "u:1-20"), H.replica("b", "u:1-10", lag: 60), H.replica("c", "u:1-20", io: .connecting))
        #expect(refusal("b", &group).contains("lags 60 s"))
        #expect(refusal("c", &group).contains("not replicating"))
        #expect(refusal(nil, &group).contains("no eligible target"))
        group.probe(H.down("a"), H.replica("b", "u:1-10"), H.replica("c", "u:1-20"))
        #expect(refusal("c", &group).contains("primary is not healthy"))
    }

    @Test func failoverInProgressRefusesSwitchover() {
        var group = H()
        group.settle()
        group.report("a", server: .exited)
        let decision = group.handle(.switchoverRequested(target: "b"))
        #expect(decision.reason.detail == "a failover is in progress")
    }

    @Test func bestTargetIsChosenWhenNoneIsGiven() {
        var group = H()
        group.probe(H.primary("a", "u:1-10"), H.replica("b", "u:1-10", lag: 3), H.replica("c", "u:1-10", lag: 0))
        let decision = group.handle(.switchoverRequested(target: nil))
        #expect(decision.reason.detail.contains("a → c"))
    }
}
