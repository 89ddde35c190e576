import Logging
import VigilCore
import VigilEngine
import VigilMySQL

/// The gather → decide → act loop for one group, shared by every platform: probes each
/// instance every probe interval, feeds probes, agent heartbeats, requests and action results
/// to the pure `GroupStateMachine`, persists its status before acting (write-ahead) and runs
/// the actions (instance actions here, traffic and records through the platform).
public actor GroupController<Directory: InstanceDirectory> {
    public private(set) var machine: GroupStateMachine
    public private(set) var observations: [String: InstanceObservation] = [:]
    public private(set) var lastReason: Reason?
    let actions: InstanceActions<Directory>
    let platform: any GroupPlatform
    let logger: Logger
    var probes: [String: InstanceOperations] = [:]
    var stopping = false
    // Write-ahead: decision `n`'s actions run once a status at least as new as `n` is stored.
    var version: UInt64 = 0
    var persistedVersion: UInt64 = 0
    var persisting = false
    var waiting: [(UInt64, CheckedContinuation<Void, Never>)] = []
    /// Told of every probe (instance, how long, answered) — metrics.
    var probeObserver: (@Sendable (String, Duration, Bool) -> Void)?

    public func observeProbes(_ observer: @escaping @Sendable (String, Duration, Bool) -> Void) {
        probeObserver = observer
    }

    public init(config: GroupConfig, restoring: GroupStatus?, initialPrimary: String?,
                actions: InstanceActions<Directory>, platform: any GroupPlatform, logger: Logger) {
        let now = actions.clock.now()
        machine = restoring.map { GroupStateMachine(restoring: $0, config: config, now: now) }
            ?? GroupStateMachine(config: config, primary: initialPrimary, now: now)
        self.actions = actions
        self.platform = platform
        self.logger = logger
    }

    var clock: ControllerClock { actions.clock }
    var names: [String] { machine.config.memberNames }
    public var status: GroupStatus { machine.status }

    /// Runs until `stop()`: a probe round every probe interval, timers served in between.
    public func run() async {
        await handle(.tick)
        while !stopping && !Task.isCancelled {
            let round = ContinuousClock.now
            let snapshot = await probeRound()
            await handle(.probed(snapshot))
            await sleepServingTimers(until: round + machine.config.lease.probeInterval)
        }
        for (_, ops) in probes { if let conn = ops.session as? MySQLConnection { await conn.close() } }
        probes = [:]
    }

    public func stop() { stopping = true }

    // MARK: inputs from outside

    /// An agent heartbeat: the answer is the controller's word for it.
    public func heartbeat(_ report: AgentReport) async -> ControllerWord {
        let decision = await handle(.agentReported(report))
        for action in decision.actions {
            if case .replyToAgent(let name, let word) = action.kind, name == report.instance { return word }
        }
        return machine.word
    }

    public func requestSwitchover(to target: String?) async -> Decision {
        await handle(.switchoverRequested(target: target))
    }

    public func operatorCommand(_ command: OperatorCommand) async -> Decision {
        await handle(.operatorCommand(command))
    }

    // MARK: the loop

    /// Decides, stores the status, then acts. Inputs are decided in arrival order; actions of
    /// a decision never start before its status is stored.
    @discardableResult
    func handle(_ input: GroupInput) async -> Decision {
        let before = machine.status
        let decision = machine.handle(input, now: clock.now())
        if decision.reason.code != .unchanged {
            lastReason = decision.reason
            for reason in decision.trail {
                logger.info("controller: \(reason)", metadata: ["state": "\(decision.state.name)", "term": "\(machine.status.term)"])
            }
            await platform.record(.decision(decision.reason, state: decision.state.name))
        }
        // Counters that change with every decision (heartbeats included) are stored with the
        // next real change, not on their own.
        if Self.meaningful(machine.status) != Self.meaningful(before) {
            version += 1
            await stored(version)
        }
        for action in decision.actions { perform(action) }
        return decision
    }

    static func meaningful(_ status: GroupStatus) -> GroupStatus {
        var status = status
        status.decisionCount = 0
        status.nextActionID = 0
        return status
    }

    /// Returns once a status at least as new as `wanted` is stored.
    func stored(_ wanted: UInt64) async {
        if persistedVersion >= wanted { return }
        if !persisting { Task { await self.persistLoop() } }
        await withCheckedContinuation { continuation in waiting.append((wanted, continuation)) }
    }

    func persistLoop() async {
        guard !persisting else { return }
        persisting = true
        defer { persisting = false }
        var delay = Duration.milliseconds(100)
        while persistedVersion < version {
            let target = version
            do {
                try await platform.persist(machine.status)
                persistedVersion = target
                delay = .milliseconds(100)
                let ready = waiting.filter { $0.0 <= target }
                waiting.removeAll { $0.0 <= target }
                for (_, continuation) in ready { continuation.resume() }
            } catch {
                logger.error("cannot store the controller's status (actions wait): \(error)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    func perform(_ action: GroupAction) {
        switch action.kind {
        case .replyToAgent, .waitUntil:
            break
        case .pokeAgent(let name):
            platform.pokeAgent(name)
        case .recordFailover(let record):
            logger.notice("failover \(record.outcome): \(record.from ?? "-") → \(record.to) in \(record.durationMs) ms (\(record.reason))")
            Task { await platform.record(.failover(record)) }
        case .recordSwitchover(let record):
            logger.notice("switchover \(record.outcome): \(record.from) → \(record.to), writes blocked \(record.writeBlockedMs) ms")
            Task { await platform.record(.switchover(record)) }
        case .moveTraffic(let primary, _):
            let status = machine.status
            Task {
                let result = await platform.moveTraffic(to: primary, status: status)
                await self.completed(action.id, result)
            }
        default:
            let text = InstanceActions<Directory>.describe(action.kind)
            logger.info("controller: \(action.id) \(text)")
            let actions = self.actions
            let kind = action.kind
            Task {
                await platform.record(.actionStarted(action.id, text))
                let result = await actions.perform(kind)
                if case .failed(let why) = result {
                    self.logger.warning("controller: \(action.id) failed: \(why)")
                    await platform.record(.actionFailed(action.id, why))
                }
                await self.completed(action.id, result)
            }
        }
    }

    func completed(_ id: ActionID, _ result: ActionResult) async {
        // A read-back is the freshest look at the instance.
        if let observation = result.observation, observation.reachable { observations[observation.name] = observation }
        await handle(.actionCompleted(id, result))
    }

    /// Sleeps until `deadline`, waking the machine at its `wakeAt` on the way.
    func sleepServingTimers(until deadline: ContinuousClock.Instant) async {
        while !stopping && !Task.isCancelled {
            let now = ContinuousClock.now
            if let wake = machine.wakeAt.map(clock.continuous), wake <= now {
                await handle(.tick)
                continue
            }
            guard now < deadline else { return }
            let until = min(deadline, machine.wakeAt.map(clock.continuous) ?? deadline)
            try? await Task.sleep(until: until, clock: .continuous)
        }
    }

    /// Observes every instance in parallel on short-timeout sessions: a hung instance costs a
    /// probe interval, never the round.
    public func probeRound() async -> GroupSnapshot {
        let timeout = machine.config.lease.probeInterval
        for name in names where probes[name] == nil {
            guard var config = actions.config(name, queryTimeout: timeout * 0.9) else { continue }
            config.connectTimeout = .milliseconds(timeout.wholeMilliseconds)
            if let conn = try? await MySQLConnection.connect(config),
               let ops = try? InstanceOperations(instance: name, connection: conn, logger: logger) {
                probes[name] = ops
            }
        }
        let current = probes
        let observer = probeObserver
        let observed = await withTaskGroup(of: (String, InstanceObservation?).self) { group in
            for (name, ops) in current {
                group.addTask {
                    let start = ContinuousClock.now
                    let observation = try? await ops.observe()
                    observer?(name, .now - start, observation != nil)
                    return (name, observation)
                }
            }
            var out: [String: InstanceObservation] = [:]
            for await (name, obs) in group { if let obs { out[name] = obs } }
            return out
        }
        for name in names where current[name] == nil { observer?(name, .zero, false) }
        observations = observed
        for name in names where observed[name] == nil {
            guard let ops = probes[name] else { continue }
            probes[name] = nil  // reconnect next round
            if let conn = ops.session as? MySQLConnection { Task { await conn.close() } }
        }
        return GroupSnapshot(
            takenAt: clock.now(),
            instances: names.map { observed[$0] ?? .unreachable($0, flavor: machine.config.flavor) })
    }
}
