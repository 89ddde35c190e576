import Testing
import VigilCore

/// Drives a `GroupStateMachine` by hand in unit tests: a mock clock, observations built from
/// short GTID texts, and the actions still owed a result.
struct GroupHarness {
    static let u = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
    static let x = "ffffffff-ffff-ffff-ffff-ffffffffffff"

    var machine: GroupStateMachine
    var now: Instant
    /// Actions issued and not yet completed, oldest first.
    var owed: [GroupAction] = []
    var decisions: [Decision] = []

    init(
        members: [String] = ["a", "b", "c"], primary: String? = "a", replication: ReplicationMode = .semiSync,
        cooldown: Duration = .seconds(300), lease: LeaseContract = LeaseContract()
    ) {
        let config = GroupConfig(
            members: members.map { MemberConfig(name: $0) }, flavor: .mysql, replication: replication, lease: lease,
            cooldown: cooldown)
        now = Instant(millisecondsSinceEpoch: 1_000_000)
        machine = GroupStateMachine(config: config, primary: primary, now: now)
    }

    static func gtids(_ text: String) -> GTIDState {
        .mysql(Fixtures.mysql(text.replacingOccurrences(of: "u", with: u).replacingOccurrences(of: "x:", with: "\(x):")))
    }

    static func primary(_ name: String, _ executed: String, writable: Bool = true) -> InstanceObservation {
        InstanceObservation(
            name: name, reachable: true, flavor: .mysql, readOnly: !writable, superReadOnly: !writable,
            executedGTIDs: gtids(executed))
    }

    static func replica(
        _ name: String, _ executed: String, retrieved: String? = nil, io: ReplicaStatus.IOThreadState = .yes,
        lag: UInt64 = 0, source: String = "a"
    ) -> InstanceObservation {
        InstanceObservation(
            name: name, reachable: true, flavor: .mysql, readOnly: true, superReadOnly: true,
            executedGTIDs: gtids(executed), retrievedGTIDs: gtids(retrieved ?? executed),
            replica: ReplicaStatus(sourceHost: source, sourcePort: 3306, ioThread: io, sqlThreadRunning: true, secondsBehindSource: lag))
    }

    static func down(_ name: String) -> InstanceObservation { .unreachable(name, flavor: .mysql) }

    var state: GroupState { machine.status.state }
    var last: Decision { decisions[decisions.count - 1] }

    mutating func tick(_ duration: Duration = .zero) -> Decision {
        now += duration
        return handle(.tick)
    }

    /// Every input but a probe or a tick takes 10 ms of mock time.
    @discardableResult
    mutating func handle(_ input: GroupInput) -> Decision {
        switch input {
        case .probed, .tick: break
        default: now += .milliseconds(10)
        }
        let decision = machine.handle(input, now: now)
        owed += decision.actions.filter(\.kind.expectsCompletion)
        decisions.append(decision)
        return decision
    }

    /// One probe round, a second after the last.
    @discardableResult
    mutating func probe(_ observations: InstanceObservation..., after: Duration = .seconds(1)) -> Decision {
        now += after
        return handle(.probed(GroupSnapshot(takenAt: now, instances: observations)))
    }

    /// The controller loses the primary and the replicas' agents agree, `rounds` times.
    mutating func loseThePrimary(rounds: Int = 3, gtids: String = "u:1-10") {
        for _ in 0..<rounds {
            probe(Self.down("a"), Self.replica("b", gtids, io: .connecting), Self.replica("c", gtids, io: .connecting))
            report("b", primaryReachable: false)
            report("c", primaryReachable: false)
        }
    }

    /// A heartbeat from `name`'s agent holding the machine's current word (or what is given).
    @discardableResult
    mutating func report(
        _ name: String, server: ServerProcessState = .running(readOnly: nil), term: UInt64? = nil,
        believes: String?? = .none, fence: AgentReport.Fence = .unfenced, primaryReachable: Bool? = nil
    ) -> Decision {
        let word = machine.word
        let believed: String? = switch believes { case .some(let value): value; case .none: word.primary }
        return handle(.agentReported(AgentReport(
            instance: name, term: term ?? word.term, believedPrimary: believed, fence: fence, server: server,
            primaryReachable: primaryReachable)))
    }

    /// Completes the oldest owed action matching `matches` (records an issue if none is owed).
    @discardableResult
    mutating func complete(
        _ result: ActionResult, sourceLocation: SourceLocation = #_sourceLocation,
        where matches: (GroupAction.Kind) -> Bool
    ) -> Decision {
        guard let position = owed.firstIndex(where: { matches($0.kind) }) else {
            Issue.record("no such action owed; owed: \(owed.map(\.kind))", sourceLocation: sourceLocation)
            return decisions.last ?? handle(.tick)
        }
        let action = owed.remove(at: position)
        return handle(.actionCompleted(action.id, result))
    }

    @discardableResult
    mutating func complete(
        _ kind: GroupAction.Kind, _ result: ActionResult, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Decision {
        complete(result, sourceLocation: sourceLocation) { $0 == kind }
    }

    func owes(_ kind: GroupAction.Kind) -> Bool { owed.contains { $0.kind == kind } }

    /// Every group member healthy: `a` primary at `u:1-10`, replicas caught up.
    mutating func settle(primaryGTIDs: String = "u:1-10") {
        for _ in 0..<2 {
            probe(Self.primary("a", primaryGTIDs), Self.replica("b", primaryGTIDs), Self.replica("c", primaryGTIDs))
        }
        for name in ["a", "b", "c"] { report(name, primaryReachable: name == "a" ? nil : true) }
    }
}

extension Decision {
    func has(_ kind: GroupAction.Kind) -> Bool { kinds.contains(kind) }

    func has(_ matches: (GroupAction.Kind) -> Bool) -> Bool { kinds.contains(where: matches) }

    var codes: [Reason.Code] { trail.map(\.code) }
}
