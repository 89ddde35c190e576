import Testing
import VigilCore

private typealias H = GroupHarness

@Suite struct InstanceHealthTests {
    private let t0 = Instant(millisecondsSinceEpoch: 0)

    @Test func missedProbesDebounceAndGoodProbesRecover() {
        var health = InstanceHealth()
        health.probed(reachable: true, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        #expect(health.verdict == .up, "a first sighting needs no debounce")
        health.probed(reachable: false, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        health.probed(reachable: false, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        #expect(health.verdict == .up)
        health.probed(reachable: false, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        #expect(health.verdict == .down)
        health.probed(reachable: true, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        #expect(health.verdict == .down)
        health.probed(reachable: true, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        #expect(health.verdict == .up)
    }

    @Test func agentProofCountsAtOnceAndSilenceNotAtAll() {
        var health = InstanceHealth()
        health.probed(reachable: true, at: t0, failureThreshold: 3, recoveryThreshold: 2)
        health.agentSaw(.notAnswering, at: t0)
        #expect(health.verdict == .up, "not answering is no proof (paused, overloaded)")
        health.agentSaw(.refused, at: t0 + .seconds(1))
        #expect(health.verdict == .down)
        #expect(health.provenDeadSince == t0 + .seconds(1))
        health.agentSaw(.exited, at: t0 + .seconds(2))
        #expect(health.provenDeadSince == t0 + .seconds(1), "proven since the first proof")
        health.agentSaw(.running(readOnly: true), at: t0 + .seconds(3))
        #expect(!health.isDeathProven, "a running server is a sign of life")
    }
}

@Suite struct CooldownTests {
    /// Completes a failover a → b by death proof, confirmed at the returned instant.
    static func failedOver() -> GroupHarness {
        var group = H(cooldown: .seconds(300))
        group.settle()
        group.report("a", server: .exited)
        group.complete(.stopIOThread("b"), .succeeded(H.replica("b", "u:1-10", io: .no)))
        group.complete(.stopIOThread("c"), .succeeded(H.replica("c", "u:1-10", io: .no)))
        group.complete(.succeeded(H.replica("b", "u:1-10", io: .no))) { if case .drainRelayLog = $0 { true } else { false } }
        group.report("b")
        group.complete(.promote("b"), .succeeded(H.primary("b", "u:1-10")))
        group.complete(.confirmWritable("b"), .succeeded(H.primary("b", "u:1-10")))
        group.complete(.moveTraffic(primary: "b", replicas: ["c"]), .succeeded(nil))
        group.complete(.repoint("c", to: "b"), .succeeded(H.replica("c", "u:1-10", source: "b")))
        return group
    }

    @Test func aSecondFailureInsideTheCooldownIsBlockedVisibly() {
        var group = Self.failedOver()
        let until = group.machine.status.cooldownUntil!
        #expect(until > group.now)
        group.probe(H.down("a"), H.primary("b", "u:1-11"), H.replica("c", "u:1-11", source: "b"))
        let blocked = group.report("b", server: .exited)
        #expect(group.state == .blocked(.cooldown(until: until)))
        #expect(blocked.codes.contains(.failoverBlockedByCooldown))
        #expect(blocked.wakeAt == until)
        #expect(group.machine.status.operation == nil)

        let refused = group.handle(.switchoverRequested(target: "c"))
        #expect(refused.reason.code == .switchoverRefused)
        #expect(refused.reason.detail.contains("cooldown"))
    }

    @Test func operatorOverrideIsRecordedAndUnblocks() {
        var group = Self.failedOver()
        group.probe(H.down("a"), H.primary("b", "u:1-11"), H.replica("c", "u:1-11", source: "b"))
        group.report("b", server: .exited)
        let override = group.handle(.operatorCommand(.overrideCooldown))
        #expect(override.codes.contains(.operatorCommand))
        #expect(override.codes.contains(.failoverStarted))
        #expect(group.machine.status.cooldownUntil == nil)
        let record = group.machine.status.operatorLog.last
        #expect(record?.command == .overrideCooldown && record?.accepted == true)
    }

    @Test func afterTheCooldownAFailoverMayStart() {
        var group = Self.failedOver()
        let until = group.machine.status.cooldownUntil!
        group.probe(H.down("a"), H.primary("b", "u:1-11"), H.replica("c", "u:1-11", source: "b"))
        group.report("b", server: .exited)
        #expect(group.machine.status.operation == nil)
        let later = group.tick(until - group.now)
        #expect(later.codes.contains(.failoverStarted))
    }
}
