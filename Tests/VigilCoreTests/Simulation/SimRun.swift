import Foundation
import VigilCore

/// Knobs of one simulated schedule.
struct SimSettings {
    var instances = 3
    var flavor: Flavor = .mariadb
    var mode: ReplicationMode = .semiSync
    var steps = 200
    var stepMs: Int64 = 200
    var faultRate = 0.06
    var writeRate = 0.6
    /// Heal everything at the end and require a working primary again (liveness).
    var healSteps = 0
    /// Test mutant: agents that never fence themselves (the checker must catch the result).
    var agentsIgnoreLease = false

    static let lease = LeaseContract(
        leaseTimeout: .seconds(4), fenceEscalation: .seconds(1), peerVouchWindow: .seconds(8),
        clockSkewMargin: .milliseconds(500), probeInterval: .seconds(1), maxClockDriftRate: 0.001)

    func groupConfig(names: [String]) -> GroupConfig {
        GroupConfig(
            members: names.map { MemberConfig(name: $0, site: "site-\($0)") }, flavor: flavor, replication: mode,
            lease: Self.lease, failureThreshold: 3, recoveryThreshold: 2, drainTimeout: .seconds(3),
            maxLagWait: .seconds(3), cooldown: .seconds(20))
    }
}

/// A broken invariant, with enough context to replay it.
struct SimViolation: Error, CustomStringConvertible {
    var seed: UInt64
    var step: Int
    var message: String
    var schedule: [String]

    var description: String {
        "seed \(seed) (replay: SimulationTests.replaySeed = \(seed)), step \(step): \(message)\nschedule:\n  "
            + schedule.suffix(60).joined(separator: "\n  ")
    }
}

/// An agent beside one instance, with its own drifting clock.
struct SimAgent {
    var fencing: SelfFencing
    var alive = true
    let offset: Int64
    let rate: Double
    /// Replies that arrive a step late (reordering and delay).
    var delayedWords: [(ControllerWord, Instant)] = []
    /// When the agent asked to be ticked next (its own clock).
    var wakeAt: Instant?

    func local(_ now: Int64) -> Instant {
        Instant(millisecondsSinceEpoch: offset + Int64((Double(now) * rate).rounded(.down)))
    }
}

/// An action the simulated executor is working on.
struct SimPending {
    var action: GroupAction
    var dueAt: Int64
}

/// One seeded schedule: world, agents, controller, executor, faults, invariants.
struct SimRun {
    let seed: UInt64
    let settings: SimSettings
    let config: GroupConfig
    var random: SimRandom
    var world: SimWorld
    var agents: [SimAgent] = []
    var machine: GroupStateMachine
    var persisted: GroupStatus
    var controllerUp = true
    var controllerDownUntil: Int64?
    var pending: [SimPending] = []
    /// Agents the controller asked to heartbeat at once.
    var pokes: [Int] = []
    var now: Int64 = 0
    var step = 0
    var schedule: [String] = []
    var violation: SimViolation?
    /// Promotions seen (for the cooldown invariant): when and whether forced.
    var lastPromotionAt: Int64?
    var cooldownOverriddenAt: Int64?
    var lastOperationWasFailover = false
    var stats = SimStats()
    let probeMs = SimSettings.lease.probeInterval.wholeMilliseconds

    init(seed: UInt64, settings: SimSettings) {
        self.seed = seed
        self.settings = settings
        random = SimRandom(seed: seed)
        let names = (0..<settings.instances).map { "db-\($0)" }
        config = settings.groupConfig(names: names)
        world = SimWorld(names: names, flavor: settings.flavor, mode: settings.mode)
        machine = GroupStateMachine(config: config, primary: names[0], now: .zero)
        persisted = machine.status
        for name in names {
            let offset = Int64(random.int(0...1_000_000))
            let drift = Double(random.int(-900...900)) / 1_000_000
            var agent = SimAgent(fencing: SelfFencing(instance: name, contract: SimSettings.lease), offset: offset, rate: 1 + drift)
            _ = agent.fencing.handle(.started, now: agent.local(0))
            agents.append(agent)
        }
        // The bootstrap fence of agent start is confirmed; the controller's first word lifts it.
        for index in world.instances.indices {
            var agent = agents[index]
            _ = agent.fencing.handle(.fenceCompleted(.confirmed), now: agent.local(0))
            agents[index] = agent
        }
        world.instances[0].readOnly = false
    }

    var instant: Instant { Instant(millisecondsSinceEpoch: now) }

    mutating func log(_ line: String) {
        schedule.append("step \(step) @\(now)ms: \(line)")
    }

    mutating func fail(_ message: String) {
        guard violation == nil else { return }
        violation = SimViolation(seed: seed, step: step, message: message, schedule: schedule)
    }

    /// Runs the whole schedule; returns the first violation.
    mutating func run() -> SimViolation? {
        for _ in 0..<settings.steps {
            advance(injectFaults: true)
            if violation != nil { return violation }
        }
        if settings.healSteps > 0 {
            healEverything()
            for _ in 0..<settings.healSteps {
                advance(injectFaults: false)
                if violation != nil { return violation }
            }
            checkLiveness()
        }
        return violation
    }

    mutating func advance(injectFaults: Bool) {
        step += 1
        now += settings.stepMs
        if injectFaults && random.chance(settings.faultRate) { injectFault() }
        if let until = controllerDownUntil, now >= until { restartController() }
        world.clientWrites(&random, rate: settings.writeRate)
        world.replicate()
        for index in world.instances.indices { driveAgent(index) }
        if controllerUp { driveController() }
        checkInvariants()
    }
}

/// Counters reported by the test.
struct SimStats {
    var failovers = 0
    var switchovers = 0
    var rollbacks = 0
    var quarantines = 0
    var restarts = 0
    var decisions = 0
    var leaseWaits = 0
    var blocked = 0

    mutating func add(_ other: SimStats) {
        failovers += other.failovers
        switchovers += other.switchovers
        rollbacks += other.rollbacks
        quarantines += other.quarantines
        restarts += other.restarts
        decisions += other.decisions
        leaseWaits += other.leaseWaits
        blocked += other.blocked
    }
}
