import Foundation
import Logging
import VigilControl
import VigilCore
import VigilRouter

/// The executor of the decision core (`GroupStateMachine`) for a local group: every input
/// goes through `handle`, which persists the machine's status before any action starts
/// (write-ahead) and then performs the actions; results come back as inputs.
extension LocalSupervisor {
    static func groupConfig(_ spec: LocalSpec) -> GroupConfig {
        let members = (0..<spec.instances).map { i in
            MemberConfig(name: spec.instanceName(i), site: spec.site(i), sitePriority: 0, host: "127.0.0.1:\(spec.mysqlPort(i))")
        }
        return GroupConfig(members: members, flavor: .mariadb, replication: spec.mode == .lossless ? .semiSync : .async)
    }

    @discardableResult
    func handle(_ input: GroupInput) -> Decision {
        let before = machine.status
        let decision = machine.handle(input, now: clock.now())
        let log = log(decision: decision.id)
        for reason in decision.trail {
            log.info("controller: \(reason)", metadata: ["state": "\(decision.state.name)", "term": "\(machine.status.term)"])
            event("decision", LocalGroup.readableInstants(reason.description), decision: decision.id)
        }
        if decision.reason.code != .unchanged { lastReason = decision.reason }
        trackOperation()
        persistIfChanged()
        if before.word != machine.status.word { updateRouter() }
        for action in decision.actions { perform(action, decision: decision.id) }
        trackOperation()
        publishSnapshot()
        return decision
    }

    func perform(_ action: GroupAction, decision: UInt64) {
        let log = log(decision: decision, instance: action.kind.instance)
        switch action.kind {
        case .replyToAgent, .waitUntil:
            break
        case .pokeAgent(let name):
            pokeAgent(name)
        case .recordFailover(let record):
            log.notice("failover \(record.outcome): \(record.from ?? "-") → \(record.to) in \(record.durationMs) ms (\(record.reason))")
            appendEvent(kind: "failover", record)
            recordFailover(record, decision: decision)
        case .recordSwitchover(let record):
            log.notice("switchover \(record.outcome): \(record.from) → \(record.to), writes blocked \(record.writeBlockedMs) ms")
            appendEvent(kind: "switchover", record)
            recordSwitchover(record, decision: decision)
        case .moveTraffic(let primary, _):
            actionStarted(action, decision: decision)
            trafficPrimary = primary
            updateRouter()
            log.info("controller: traffic moved to \(primary)")
            event("action", "traffic moved to \(primary)", instance: primary, decision: decision)
            Task { self.completed(action.id, .succeeded(nil)) }
        default:
            log.info("controller: \(action.id) \(LocalActions.describe(action.kind))")
            actionStarted(action, decision: decision)
            let actions = self.actions
            let kind = action.kind
            Task {
                let result = await actions.perform(kind)
                if case .failed(let why) = result { self.logFailure(action.id, why, log: log) }
                self.completed(action.id, result)
            }
        }
    }

    func logFailure(_ id: ActionID, _ why: String, log: Logger) {
        log.warning("controller: \(id) failed: \(why)")
    }

    func completed(_ id: ActionID, _ result: ActionResult) {
        // A read-back is the freshest look at the instance: status shows it at once.
        if let observation = result.observation, observation.reachable { observations[observation.name] = observation }
        actionEnded(id, result)
        handle(.actionCompleted(id, result))
    }

    /// Sleeps until `deadline`, waking the machine at its `wakeAt` on the way.
    func sleepServingTimers(until deadline: ContinuousClock.Instant) async {
        while !stopping {
            let now = ContinuousClock.now
            if let wake = machine.wakeAt.map(clock.continuous), wake <= now {
                handle(.tick)
                continue
            }
            guard now < deadline else { return }
            let until = min(deadline, machine.wakeAt.map(clock.continuous) ?? deadline)
            try? await Task.sleep(until: until, clock: .continuous)
        }
    }

    // MARK: persistence and events

    func persistIfChanged() {
        var current = machine.status
        current.decisionCount = 0
        current.nextActionID = 0
        guard current != persistedStatus else { return }
        persistedStatus = current
        state.group = machine.status
        if let primary = machine.status.primary { state.primary = primary }
        state.lastFailover = lastTransition()
        state.cooldownUntil = machine.status.cooldownUntil.map(ControllerClock.iso8601)
        state.quarantined = machine.status.quarantined.mapValues { $0.errant?.description ?? $0.note }
        // status.json first: whoever sees the new state.json finds a status that matches.
        updateRouter()
        writeStatus()
        do {
            try state.save(layout)
        } catch {
            logger.error("cannot persist the controller's status: \(error)")
            observe.metrics.reconcileError(group: groupName)
        }
    }

    /// The latest failover or switchover, as status shows it.
    func lastTransition() -> FailoverSummary? {
        let failover = machine.status.lastFailover.map {
            FailoverSummary(from: $0.from ?? "-", to: $0.to, reason: "\($0.reason)", startedAt: ControllerClock.iso8601($0.startedAt),
                            durationMs: Int($0.durationMs), kind: "failover", startedAtMs: $0.startedAt.millisecondsSinceEpoch)
        }
        let switchover = machine.status.lastSwitchover.map {
            FailoverSummary(from: $0.from, to: $0.to, reason: "switchover (\($0.outcome))", startedAt: ControllerClock.iso8601($0.startedAt),
                            durationMs: Int(($0.completedAt - $0.startedAt).wholeMilliseconds), kind: "switchover",
                            startedAtMs: $0.startedAt.millisecondsSinceEpoch, writeBlockedMs: Int($0.writeBlockedMs))
        }
        return [failover, switchover].compactMap { $0 }.max { ($0.startedAtMs ?? 0) < ($1.startedAtMs ?? 0) }
    }

    func appendEvent<Record: Encodable>(kind: String, _ record: Record) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var line = try? encoder.encode(EventLine(at: ControllerClock.iso8601(clock.now()), kind: kind, record: record)) else { return }
        line.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: layout.eventsFile) {
            handle.seekToEndOfFile()
            handle.write(line)
            try? handle.close()
        } else {
            _ = FileManager.default.createFile(atPath: layout.eventsFile, contents: line, attributes: [.posixPermissions: 0o644])
        }
    }
}

/// One line of `events.jsonl`.
struct EventLine<Record: Encodable>: Encodable {
    var at: String
    var kind: String
    var record: Record
}
