import Foundation
import Logging
import VigilControl
import VigilCore
import VigilObserve

/// What the controller shows while it works: metrics per round, the failover timeline (the
/// decision core's steps and each action's start and end), the event ring and the status
/// snapshot pushed to WebSocket clients. Everything here is synchronous and bounded: the
/// control loop never waits for an observer.
extension LocalSupervisor {
    var groupName: String { URL(fileURLWithPath: layout.root).lastPathComponent }

    func millis(_ instant: Instant) -> Int64 { instant.millisecondsSinceEpoch }

    /// A logger for one decision (and the instance it concerns, if any).
    func log(decision: UInt64?, instance: String? = nil) -> Logger {
        var log = logger
        if let decision { log[metadataKey: "decision"] = "\(decision)" }
        if let instance { log[metadataKey: "instance"] = "\(instance)" }
        return log
    }

    func event(_ kind: String, _ text: String, instance: String? = nil, decision: UInt64? = nil) {
        events.append(ObservedEvent(at: ControllerClock.iso8601(clock.now()), kind: kind, instance: instance, decision: decision, text: text))
    }

    // MARK: probes and rounds

    func recordRound(started: ContinuousClock.Instant, probes: [String: (Duration, Bool)]) {
        let group = groupName
        for (name, (duration, ok)) in probes {
            observe.metrics.probe(group: group, instance: name, duration: duration, ok: ok)
        }
        observe.metrics.reconcile(group: group, duration: .now - started, sincePrevious: lastRoundStart.map { started - $0 })
        let now = ContinuousClock.now
        let remaining = machine.status.cooldownUntil.map { max(.zero, $0 - clock.now()) } ?? .zero
        observe.metrics.cooldown(group: group, remaining: remaining, elapsed: lastRoundStart.map { now - $0 } ?? .zero)
        lastRoundStart = started
        if let stats = router?.stats {
            let t = targets()
            observe.metrics.setRouterConnections(group: group, port: "read-write", byTarget: stats.readWrite.activeByTarget,
                                                 targets: names)
            observe.metrics.setRouterConnections(group: group, port: "read-only", byTarget: stats.readOnly.activeByTarget,
                                                 targets: t.replicas.map(\.name) + names)
            observe.metrics.setRouterTotals(group: group, port: "read-write", accepted: stats.readWrite.accepted, refused: stats.readWrite.refused)
            observe.metrics.setRouterTotals(group: group, port: "read-only", accepted: stats.readOnly.accepted, refused: stats.readOnly.refused)
        }
        // A complete observation round: the controller's view is synced.
        observe.readiness.setSynced(true)
    }

    func recordInstances(_ instances: [LocalStatus.Instance]) {
        let group = groupName
        observe.metrics.setInstances(group: group, instances.map { ($0.role, $0.healthy) })
        for i in instances {
            observe.metrics.setReplicationLag(group: group, instance: i.name, seconds: i.role == "primary" ? 0 : i.lagSeconds)
        }
        observe.metrics.setGroupState(group: group, state: machine.status.state.name)
        // The gauge as soon as a failover sets the cooldown (the total grows per round).
        let remaining = machine.status.cooldownUntil.map { max(.zero, $0 - clock.now()) } ?? .zero
        observe.metrics.cooldown(group: group, remaining: remaining, elapsed: .zero)
        observe.metrics.setTerm(group: group, machine.status.term)
    }

    // MARK: the timeline

    /// Follows the decision core's operation: starts a timeline when one begins and keeps its
    /// steps (the core's own step timings) current.
    func trackOperation() {
        switch machine.status.operation {
        case .failover(let p)?:
            if timeline?.isRunning != true || timeline?.startedAtMs != millis(p.startedAt) {
                timeline = OperationTimeline(kind: "failover", from: p.from, to: p.candidate, reason: p.evidence.name,
                                             startedAtMs: millis(p.startedAt))
            }
            if let candidate = p.candidate { timeline?.to = candidate }
            timeline?.setPhases(p.timings.map { ($0.step, millis($0.startedAt), millis($0.endedAt)) },
                                current: (GroupStateMachine.name(of: p.step), millis(p.stepStartedAt)))
        case .switchover(let p)?:
            if timeline?.isRunning != true || timeline?.startedAtMs != millis(p.startedAt) {
                timeline = OperationTimeline(kind: "switchover", from: p.from, to: p.to, reason: "operator", startedAtMs: millis(p.startedAt))
            }
            timeline?.setPhases(p.timings.map { ($0.step, millis($0.startedAt), millis($0.endedAt)) },
                                current: (GroupStateMachine.name(of: p.step), millis(p.stepStartedAt)))
        case nil:
            break
        }
    }

    func recordFailover(_ record: FailoverRecord, decision: UInt64) {
        let reason = record.reason.name
        observe.metrics.failover(group: groupName, reason: reason, outcome: record.outcome.rawValue,
                                 duration: record.completedAt - record.startedAt,
                                 steps: record.steps.map { ($0.step, $0.endedAt - $0.startedAt) })
        finishTimeline(kind: "failover", startedAt: record.startedAt, from: record.from, to: record.to, reason: reason,
                       outcome: record.outcome.rawValue, completedAt: record.completedAt, steps: record.steps)
        event("failover", "\(record.outcome.rawValue): \(record.from ?? "-") → \(record.to) in \(record.durationMs) ms (\(reason))",
              instance: record.to, decision: decision)
    }

    func recordSwitchover(_ record: SwitchoverRecord, decision: UInt64) {
        let outcome = Self.outcomeName(record.outcome)
        observe.metrics.switchover(group: groupName, reason: "operator", outcome: outcome, writesBlocked: .milliseconds(record.writeBlockedMs),
                                   steps: record.steps.map { ($0.step, $0.endedAt - $0.startedAt) })
        finishTimeline(kind: "switchover", startedAt: record.startedAt, from: record.from, to: record.to, reason: "operator",
                       outcome: outcome, completedAt: record.completedAt, steps: record.steps)
        event("switchover", "\(outcome): \(record.from) → \(record.to), writes blocked \(record.writeBlockedMs) ms",
              instance: record.to, decision: decision)
    }

    func finishTimeline(kind: String, startedAt: Instant, from: String?, to: String, reason: String, outcome: String,
                        completedAt: Instant, steps: [StepTiming]) {
        if timeline?.startedAtMs != millis(startedAt) || timeline?.kind != kind {
            // Started before this controller run (resumed from state.json): what the record says.
            timeline = OperationTimeline(kind: kind, from: from, to: to, reason: reason, startedAtMs: millis(startedAt))
        }
        timeline?.setPhases(steps.map { ($0.step, millis($0.startedAt), millis($0.endedAt)) }, current: nil)
        timeline?.finish(outcome: outcome, to: to, atMs: millis(completedAt))
    }

    func actionStarted(_ action: GroupAction, decision: UInt64) {
        actionsInFlight[action.id] = InFlightAction(started: .now, decision: decision, name: Self.actionName(action.kind),
                                                    instance: action.kind.instance)
        timeline?.actionStarted(id: action.id.rawValue, name: Self.actionName(action.kind), instance: action.kind.instance,
                                atMs: millis(clock.now()))
    }

    func actionEnded(_ id: ActionID, _ result: ActionResult) {
        guard let started = actionsInFlight.removeValue(forKey: id) else { return }
        var ok = true
        if case .failed = result { ok = false }
        observe.metrics.action(group: groupName, action: started.name, succeeded: ok, duration: .now - started.started)
        if !ok { observe.metrics.reconcileError(group: groupName) }
        if started.name == "fence" || started.name == "quarantine", let instance = started.instance {
            observe.metrics.fenceEvent(group: groupName, instance: instance, kind: started.name, succeeded: ok)
        }
        if case .failed(let why) = result {
            event("action", "\(started.name) failed: \(why)", instance: started.instance, decision: started.decision)
        }
        timeline?.actionEnded(id: id.rawValue, succeeded: ok, atMs: millis(clock.now()))
    }

    // MARK: the snapshot

    /// Pushes the status (as last written), the event ring and the timeline to WebSocket
    /// clients when any of it changed. Synchronous and non-blocking (see StatusBroadcaster).
    func publishSnapshot() {
        guard var status = currentStatus else { return }
        let updatedAt = status.updatedAt
        status.updatedAt = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let view = GroupView(name: groupName, status: status, events: events.events, operation: timeline)
        // The key leaves out the timestamps, so an unchanged group sends nothing.
        guard let key = try? encoder.encode(StatusMessage(at: "", groups: [view])), key != lastSnapshotKey else { return }
        lastSnapshotKey = key
        status.updatedAt = updatedAt
        let message = StatusMessage(at: ControllerClock.iso8601(clock.now()),
                                    groups: [GroupView(name: groupName, status: status, events: events.events, operation: timeline)])
        guard let data = try? encoder.encode(message) else { return }
        observe.broadcaster.publish(String(decoding: data, as: UTF8.self))
    }

    // MARK: names

    static func outcomeName(_ outcome: SwitchoverRecord.Outcome) -> String {
        switch outcome {
        case .completed: "completed"
        case .rolledBack: "rolledBack"
        case .abandoned: "abandoned"
        }
    }

    static func actionName(_ kind: GroupAction.Kind) -> String {
        switch kind {
        case .replyToAgent: "replyToAgent"
        case .pokeAgent: "pokeAgent"
        case .fence: "fence"
        case .setReadOnly: "setReadOnly"
        case .setWritable: "setWritable"
        case .stopIOThread: "stopIOThread"
        case .waitUntil: "waitUntil"
        case .drainRelayLog: "drainRelayLog"
        case .waitForGTIDs: "waitForGTIDs"
        case .promote: "promote"
        case .confirmWritable: "confirmWritable"
        case .moveTraffic: "moveTraffic"
        case .repoint: "repoint"
        case .quarantine: "quarantine"
        case .rejoinAsReplica: "rejoinAsReplica"
        case .recordFailover: "recordFailover"
        case .recordSwitchover: "recordSwitchover"
        }
    }
}

/// An action the executor started and has not heard back from.
struct InFlightAction: Sendable {
    var started: ContinuousClock.Instant
    var decision: UInt64
    var name: String
    var instance: String?
}
