/// The pure decision core for one group: automatic failover, planned switchover, rejoin and
/// quarantine. Inputs (probes, agent heartbeats, action results, timers, requests) go in with
/// the current instant; a `Decision` with actions and a reason comes out. No IO, no clock.
///
/// Driving it (the executor's contract):
/// - Feed every probe round (`.probed`), every agent heartbeat (`.agentReported`; send the
///   `replyToAgent` action back as the heartbeat's answer), and call `.tick` at `wakeAt`.
/// - Perform the actions of each decision (they are independent and may run in parallel) and
///   report each that `expectsCompletion` exactly once with `.actionCompleted`.
/// - Persist `status` after every decision, before performing its actions. After a restart,
///   recreate with `init(restoring:config:now:)` and call `.tick` at once.
public struct GroupStateMachine: Sendable {
    /// What an in-flight action belongs to; results for a finished operation are ignored.
    enum Purpose: Sendable, Hashable {
        case failover(startedAt: Instant)
        case switchover(startedAt: Instant)
        case maintenance
    }

    struct InFlight: Sendable, Hashable {
        var kind: GroupAction.Kind
        var purpose: Purpose
    }

    /// One reachable observation and when it arrived.
    public struct Seen: Sendable, Hashable {
        public var observation: InstanceObservation
        public var at: Instant
    }

    /// One agent report and when it arrived.
    public struct Heard: Sendable, Hashable {
        public var report: AgentReport
        public var at: Instant
    }

    /// Accumulates what one input causes.
    struct Turn {
        let now: Instant
        var actions: [GroupAction] = []
        var trail: [Reason] = []
        var standing: Reason?

        mutating func note(_ code: Reason.Code, _ detail: String = "") {
            trail.append(Reason(code, detail))
        }
    }

    public let config: GroupConfig
    /// `config.memberNames`, computed once.
    let names: [String]
    /// `config.reportFreshness` in milliseconds.
    let freshnessMs: Int64
    public internal(set) var status: GroupStatus
    public internal(set) var health: [String: InstanceHealth] = [:]
    /// The last observation in which each instance was reachable.
    public internal(set) var latest: [String: Seen] = [:]
    public internal(set) var reports: [String: Heard] = [:]
    public internal(set) var ledger: LeaseLedger
    /// Call `.tick` no later than this.
    public internal(set) var wakeAt: Instant?
    var inFlight: [ActionID: InFlight] = [:]
    /// Earliest time to re-issue something that failed, by key.
    var retryAt: [String: Instant] = [:]
    var rejoinFailures: [String: Int] = [:]
    /// A returning instance's fenced read-back, waiting for a newer look at the primary.
    var rejoinReadBack: [String: Seen] = [:]
    /// The word changed during this input: every agent is poked.
    var wordChanged = false

    /// A group the controller sets up (or adopts) with `primary` as its writable primary.
    public init(config: GroupConfig, primary: String?, now: Instant) {
        self.config = config
        names = config.memberNames
        freshnessMs = config.reportFreshness.wholeMilliseconds
        status = GroupStatus(primary: primary)
        ledger = LeaseLedger(contract: config.lease, since: now)
        for name in config.memberNames { health[name] = InstanceHealth() }
    }

    /// A restarted controller. An operation that had not promoted anyone restarts from a safe
    /// point (a switchover rolls back, a failover isolates again); one that had promoted
    /// continues with the same candidate (never a second one).
    public init(restoring status: GroupStatus, config: GroupConfig, now: Instant) {
        self.init(config: config, primary: status.primary, now: now)
        self.status = status
        switch status.operation {
        case .failover(var progress):
            progress.blocked = nil
            if progress.promotionIssued, let candidate = progress.candidate {
                progress.promoted = false
                progress.confirmed = false
                progress.trafficMoved = false
                progress.repointing = []
                progress.step = .promoting(candidate)
            } else {
                progress.step = .isolating
                progress.fenceAttempted = false
                progress.isolation = [:]
                progress.candidate = nil
                progress.drained = nil
            }
            self.status.operation = .failover(progress)
        case .switchover(var progress):
            if progress.promotionIssued {
                progress.promoted = false
                progress.confirmed = false
                progress.trafficMoved = false
                progress.repointing = []
                progress.step = .promoting
            } else {
                progress.step = .rollingBack
                progress.rollbackReason = progress.rollbackReason ?? "controller restarted before promotion"
                setWord(primary: progress.from, mayWrite: true)
            }
            self.status.operation = .switchover(progress)
        case nil:
            break
        }
    }

    /// The word every heartbeat reply carries now.
    public var word: ControllerWord { status.word }

    public var state: GroupState { status.state }

    public mutating func handle(_ input: GroupInput, now: Instant) -> Decision {
        var turn = Turn(now: now)
        var quiet = false
        switch input {
        case .probed(let snapshot):
            ingest(snapshot, now: now)
        case .agentReported(let report):
            quiet = isRepeat(report, now: now) && status.operation == nil && wakeAt.map { $0 > now } ?? true
            ingest(report, turn: &turn)
        case .actionCompleted(let id, let result):
            completed(id, result, turn: &turn)
        case .tick:
            break
        case .switchoverRequested(let target):
            requestSwitchover(to: target, turn: &turn)
        case .operatorCommand(let command):
            apply(command, turn: &turn)
        }
        // A heartbeat that repeats a fresh one changes no judgement: skip re-evaluating.
        if !quiet { advance(&turn) }
        // The reply carries the word as it stands after this input (a report that starts a
        // failover must not renew the lease of the primary it deposes).
        if case .agentReported(let report) = input, health[report.instance] != nil {
            let word = status.word
            ledger.replied(to: report.instance, with: word, at: now)
            turn.actions.insert(GroupAction(id: nextID(), kind: .replyToAgent(report.instance, word)), at: 0)
        }
        if wordChanged {
            wordChanged = false
            for name in names { turn.actions.append(GroupAction(id: nextID(), kind: .pokeAgent(name))) }
        }
        status.decisionCount += 1
        wakeAt = computeWakeAt(now: now)
        let reason = turn.trail.last ?? turn.standing ?? Reason(.unchanged)
        return Decision(
            id: status.decisionCount, at: now, state: status.state, actions: turn.actions, reason: reason,
            trail: turn.trail, wakeAt: wakeAt)
    }

    // MARK: - Ingest

    private mutating func ingest(_ snapshot: GroupSnapshot, now: Instant) {
        for observation in snapshot.instances where health[observation.name] != nil {
            health[observation.name]?.probed(
                reachable: observation.reachable, at: now, failureThreshold: config.failureThreshold,
                recoveryThreshold: config.recoveryThreshold)
            if observation.reachable { latest[observation.name] = Seen(observation: observation, at: now) }
        }
    }

    private func isRepeat(_ report: AgentReport, now: Instant) -> Bool {
        guard let previous = reports[report.instance] else { return false }
        return previous.report == report && now.millisecondsSinceEpoch - previous.at.millisecondsSinceEpoch <= freshnessMs
    }

    private mutating func ingest(_ report: AgentReport, turn: inout Turn) {
        guard health[report.instance] != nil else { return }
        reports[report.instance] = Heard(report: report, at: turn.now)
        health[report.instance]?.agentSaw(report.server, at: turn.now)
        ledger.heard(report.instance, term: report.term, at: turn.now)
    }

    private mutating func completed(_ id: ActionID, _ result: ActionResult, turn: inout Turn) {
        guard let flight = inFlight.removeValue(forKey: id) else {
            turn.note(.unknownAction, "no action \(id) in flight (answered twice, or issued before a restart)")
            return
        }
        if let observation = result.observation, observation.reachable, health[observation.name] != nil {
            latest[observation.name] = Seen(observation: observation, at: turn.now)
        }
        switch (flight.purpose, status.operation) {
        case (.failover(let started), .failover(let progress)) where progress.startedAt == started:
            failoverResult(flight.kind, result, turn: &turn)
        case (.switchover(let started), .switchover(let progress)) where progress.startedAt == started:
            switchoverResult(flight.kind, result, turn: &turn)
        case (.maintenance, _):
            maintenanceResult(flight.kind, result, turn: &turn)
        default:
            break
        }
    }

    // MARK: - Helpers shared by the extensions

    mutating func nextID() -> ActionID {
        defer { status.nextActionID += 1 }
        return ActionID(status.nextActionID)
    }

    mutating func issue(_ kind: GroupAction.Kind, for purpose: Purpose, turn: inout Turn) {
        let id = nextID()
        if kind.expectsCompletion { inFlight[id] = InFlight(kind: kind, purpose: purpose) }
        turn.actions.append(GroupAction(id: id, kind: kind))
    }

    func isInFlight(_ matches: (GroupAction.Kind) -> Bool) -> Bool {
        inFlight.values.contains { matches($0.kind) }
    }

    func inFlight(for instance: String) -> Bool {
        inFlight.values.contains { $0.kind.instance == instance }
    }

    /// Changes the controller's word; every change takes a new term.
    mutating func setWord(primary: String?, mayWrite: Bool) {
        guard status.primary != primary || status.primaryMayWrite != mayWrite else { return }
        status.term += 1
        status.primary = primary
        status.primaryMayWrite = mayWrite
        wordChanged = true
    }

    /// Whether `name`'s agent reported holding the current word, which allows it to write:
    /// only then may the executor make it writable (its lease then covers it).
    func agentHoldsWrite(_ name: String) -> Bool {
        guard status.primary == name, status.primaryMayWrite, let heard = reports[name] else { return false }
        return heard.report.term >= status.term && heard.report.believedPrimary == name
    }

    func waitedOut(_ key: String, now: Instant) -> Bool {
        retryAt[key].map { now >= $0 } ?? true
    }

    mutating func retryLater(_ key: String, now: Instant, after: Duration? = nil) {
        retryAt[key] = now + (after ?? config.lease.probeInterval)
    }

    /// A recent reachable observation (from the last probe round or an action's read-back).
    func fresh(_ name: String, now: Instant) -> InstanceObservation? {
        guard let seen = latest[name], now.millisecondsSinceEpoch - seen.at.millisecondsSinceEpoch <= freshnessMs
        else { return nil }
        return seen.observation
    }

    func isUp(_ name: String) -> Bool { health[name]?.isUp ?? false }

    private func computeWakeAt(now: Instant) -> Instant? {
        var times = retryAt.values.filter { $0 > now }
        if case .blocked(.cooldown(let until)) = status.state { times.append(until) }
        if let progress = status.failover, case .awaitingLease(let until) = progress.step { times.append(until) }
        if let progress = status.switchover, case .waitingForTarget(let deadline) = progress.step {
            times.append(deadline + config.lease.probeInterval)
        }
        return times.min()
    }
}
