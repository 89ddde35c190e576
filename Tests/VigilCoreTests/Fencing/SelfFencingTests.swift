import Testing
import VigilCore

/// An agent on instance "a" with a mock clock (its own monotonic milliseconds).
private struct Agent {
    var fencing = SelfFencing(instance: "a")
    var now = Instant(millisecondsSinceEpoch: 50_000)

    @discardableResult
    mutating func handle(_ input: AgentInput, after: Duration = .zero) -> AgentDecision {
        now += after
        return fencing.handle(input, now: now)
    }

    /// The controller names `primary` (default: a) in `term`, answering a heartbeat sent now.
    @discardableResult
    mutating func word(term: UInt64 = 1, primary: String? = "a", mayWrite: Bool = true, authenticated: Bool = true) -> AgentDecision {
        handle(.controllerWord(ControllerWord(term: term, primary: primary, primaryMayWrite: mayWrite), requestSentAt: now, authenticated: authenticated))
    }

    /// Started, fence confirmed, then lifted by the controller's word at `now`.
    static func writablePrimary() -> Agent {
        var agent = Agent()
        agent.handle(.started)
        agent.handle(.fenceCompleted(.confirmed))
        agent.handle(.serverObserved(.running(readOnly: true)))
        agent.word()
        agent.handle(.unfenceCompleted(.confirmed))
        return agent
    }
}

@Suite struct SelfFencingTests {
    @Test func startsFencedAndLiftsOnlyOnTheControllersAuthenticatedWord() {
        var agent = Agent()
        #expect(agent.handle(.started).actions == [.fence(.agentStart)])
        #expect(agent.handle(.fenceCompleted(.confirmed)).fence == .fenced(.agentStart))
        // A peer naming us primary is no authority to lift.
        let peer = agent.handle(.peerAnswered(peer: "b", PeerVouch(term: 1, primary: "a"), requestSentAt: agent.now))
        #expect(peer.actions.isEmpty)
        #expect(agent.word(authenticated: false).reason == .ignoredUnauthenticatedWord)
        #expect(agent.fencing.fence == .fenced(.agentStart))
        let lifted = agent.word()
        #expect(lifted.actions == [.unfence])
        #expect(lifted.reason == .controllerAllowsWrites)
        #expect(agent.handle(.unfenceCompleted(.confirmed)).fence == .unfenced)
    }

    @Test func leaseExpiryFences() {
        var agent = Agent.writablePrimary()
        let granted = agent.now
        #expect(agent.fencing.leaseExpiresAt == granted + .seconds(10))
        #expect(agent.handle(.tick).wakeAt == granted + .seconds(10))
        #expect(agent.handle(.tick, after: .milliseconds(9_999)).actions.isEmpty)
        let expired = agent.handle(.tick, after: .milliseconds(1))
        #expect(expired.actions == [.fence(.leaseExpired)])
        #expect(expired.reason == .leaseExpired)
        #expect(agent.handle(.fenceCompleted(.confirmed)).fence == .fenced(.leaseExpired))
    }

    @Test func onePeerThatStillSeesItAsPrimaryKeepsItWritable() {
        var agent = Agent.writablePrimary()
        let renewed = agent.handle(.peerAnswered(peer: "b", PeerVouch(term: 1, primary: "a"), requestSentAt: agent.now + .seconds(8)))
        #expect(renewed.reason == .leaseRenewedByPeer("b"))
        #expect(agent.handle(.tick, after: .seconds(15)).actions.isEmpty, "the peer's ping at +8 s carries it to +18 s")
        // A peer that sees someone else, or an older term, renews nothing.
        agent.handle(.peerAnswered(peer: "c", PeerVouch(term: 1, primary: "c"), requestSentAt: agent.now))
        agent.handle(.peerAnswered(peer: "c", PeerVouch(term: 0, primary: "a"), requestSentAt: agent.now))
        #expect(agent.handle(.tick, after: .seconds(3)).actions == [.fence(.leaseExpired)])
    }

    @Test func controllerBackLiftsTheLeaseFence() {
        var agent = Agent.writablePrimary()
        agent.handle(.tick, after: .seconds(10))
        agent.handle(.fenceCompleted(.confirmed))
        #expect(agent.fencing.fence == .fenced(.leaseExpired))
        // Peers alone never lift it, even vouching for us.
        let peer = agent.handle(.peerAnswered(peer: "b", PeerVouch(term: 1, primary: "a"), requestSentAt: agent.now))
        #expect(peer.actions.isEmpty)
        #expect(agent.word().actions == [.unfence], "the controller is back and still names us")
    }

    @Test func ambiguousFenceResultIsReRead() {
        var agent = Agent.writablePrimary()
        agent.handle(.tick, after: .seconds(10))
        let ambiguous = agent.handle(.fenceCompleted(.ambiguous("connection dropped")))
        #expect(ambiguous.actions == [.reReadServerState])
        #expect(agent.fencing.fence == .fencing(.leaseExpired, since: agent.now))
        // The re-read shows the fence took: confirmed.
        #expect(agent.handle(.serverObserved(.running(readOnly: true))).fence == .fenced(.leaseExpired))

        var other = Agent.writablePrimary()
        other.handle(.tick, after: .seconds(10))
        other.handle(.fenceCompleted(.failed("lock wait timeout")))
        // The re-read shows it did not: fence again.
        #expect(other.handle(.serverObserved(.running(readOnly: false))).actions == [.fence(.leaseExpired)])
    }

    @Test func anUnconfirmableFenceEscalatesToKillingTheServer() {
        var agent = Agent.writablePrimary()
        agent.handle(.tick, after: .seconds(10))
        agent.handle(.fenceCompleted(.ambiguous("timeout")))
        agent.handle(.serverObserved(.notAnswering), after: .milliseconds(500))
        #expect(agent.handle(.tick, after: .milliseconds(500)).actions == [.reReadServerState])
        agent.handle(.serverObserved(.notAnswering))
        let kill = agent.handle(.tick, after: .seconds(1))
        #expect(kill.actions == [.killServer(.leaseExpired)])
        #expect(agent.handle(.serverObserved(.exited)).fence == .fenced(.leaseExpired))
        #expect(agent.handle(.tick, after: .seconds(5)).actions.isEmpty)
    }

    @Test func aHigherTermDeposesAtOnceFromTheControllerOrAPeer() {
        var agent = Agent.writablePrimary()
        #expect(agent.word(term: 2, primary: nil, mayWrite: false).actions == [.fence(.deposed)])

        var other = Agent.writablePrimary()
        let deposed = other.handle(.peerAnswered(peer: "b", PeerVouch(term: 3, primary: "b"), requestSentAt: other.now))
        #expect(deposed.actions == [.fence(.deposed)])
        #expect(deposed.reason == .deposed(term: 3))
        // A stale controller word (older term, delayed in flight) cannot undo it.
        other.handle(.fenceCompleted(.confirmed))
        #expect(other.word(term: 1).reason == .ignoredStaleWord(term: 1))
        #expect(other.fencing.fence == .fenced(.deposed))
    }

    @Test func writableWithoutPermissionIsFenced() {
        var agent = Agent()
        agent.handle(.started)
        agent.handle(.fenceCompleted(.confirmed))
        agent.word(term: 1, primary: "b")
        // Someone made it writable; the controller never allowed it.
        #expect(agent.handle(.serverObserved(.running(readOnly: false))).actions == [.fence(.notAllowedToWrite)])
    }

    @Test func aRestartedServerIsFencedFirst() {
        var agent = Agent.writablePrimary()
        agent.handle(.serverObserved(.exited))
        let restarted = agent.handle(.serverObserved(.running(readOnly: true)), after: .seconds(1))
        #expect(restarted.actions == [.fence(.serverRestarted)])
        agent.handle(.fenceCompleted(.confirmed))
        #expect(agent.word().actions == [.unfence], "lifted again on the controller's word")
    }

    @Test func vouchingEndsWithTheWindow() {
        var agent = Agent()
        agent.handle(.started)
        agent.word(term: 4, primary: "b")
        #expect(agent.fencing.vouch(at: agent.now + .seconds(29)) == PeerVouch(term: 4, primary: "b"))
        #expect(agent.fencing.vouch(at: agent.now + .seconds(30)) == PeerVouch(term: 4, primary: nil))
        // A term learned from a peer never makes us vouch.
        var other = Agent()
        other.handle(.started)
        other.handle(.peerAnswered(peer: "c", PeerVouch(term: 9, primary: "b"), requestSentAt: other.now))
        #expect(other.fencing.vouch(at: other.now) == PeerVouch(term: 9, primary: nil))
    }
}

@Suite struct LeaseContractTests {
    @Test func defaultsAndDerivedWait() {
        let contract = LeaseContract()
        #expect(contract.leaseTimeout == .seconds(10))
        #expect(contract.controllerWait == .seconds(13))
        let t = Instant(millisecondsSinceEpoch: 1_000)
        #expect(contract.promotionAllowed(afterLastRenewal: t) == t + .seconds(13))
        #expect(contract.promotionAllowed(afterDeposedReportAt: t) == t + .seconds(3))
        #expect(contract.vouchingEnds(wordSentAt: t) == t + .seconds(30))
        #expect(contract.problems.isEmpty)
    }

    @Test func unsoundSettingsAreReported() {
        let tight = LeaseContract(leaseTimeout: .seconds(1), clockSkewMargin: .zero, probeInterval: .seconds(1), maxClockDriftRate: 0.01)
        #expect(tight.problems.count == 2)
    }

    @Test func ledgerBoundsADeposedPrimarysWrites() {
        let contract = LeaseContract()
        let t0 = Instant(millisecondsSinceEpoch: 0)
        var ledger = LeaseLedger(contract: contract, since: t0)
        ledger.replied(to: "a", with: ControllerWord(term: 1, primary: "a", primaryMayWrite: true), at: t0 + .seconds(5))
        ledger.replied(to: "b", with: ControllerWord(term: 1, primary: "a", primaryMayWrite: true), at: t0 + .seconds(6))
        ledger.replied(to: "c", with: ControllerWord(term: 1, primary: "a", primaryMayWrite: true), at: t0 + .seconds(7))
        // b heard the new term at +9 s: it stopped vouching then. c stays silent.
        ledger.heard("b", term: 2, at: t0 + .seconds(9))
        let bound = ledger.writesEnd(for: "a", deposedIn: 2, peers: ["a", "b", "c"])
        #expect(bound == .at(t0 + .seconds(7) + .seconds(30) + .seconds(13)))
        ledger.heard("c", term: 2, at: t0 + .seconds(10))
        #expect(ledger.writesEnd(for: "a", deposedIn: 2, peers: ["a", "b", "c"]) == .at(t0 + .seconds(10) + .seconds(13)))

        var forever = LeaseLedger(contract: LeaseContract(peerVouchWindow: nil), since: t0)
        forever.heard("b", term: 2, at: t0 + .seconds(1))
        #expect(forever.writesEnd(for: "a", deposedIn: 2, peers: ["a", "b", "c"]) == .unbounded(vouchers: ["c"]))
    }
}
