import Foundation
import Testing
import VigilCore

/// Deterministic simulation of the failover core: thousands of seeded random fault schedules,
/// invariants checked after every step. A failure prints its seed and schedule; run it alone
/// with `VIGIL_SIM_SEED=<seed> swift test --filter replayOneSeed` (add `VIGIL_SIM_HEAL=1` for a
/// liveness seed), or paste it into `replaySeed`.
///
/// The model (see `SimWorld`, `SimAgents`, `SimController`): 3 or 5 instances with binlog
/// histories reported as MySQL GTID sets or MariaDB positions, relay logs, read-only flags;
/// each process running, killed (kill -9) or paused (SIGSTOP of mysqld); links cut between the
/// controller and instances or between instances; slow (stalled) replicas; a client writing to
/// every writable instance (semi-sync: acknowledged once a replica received it; async: at once);
/// an agent per instance running `SelfFencing` on its own drifting clock, with heartbeats,
/// peer pings and delayed replies; the controller running `GroupStateMachine` with an executor
/// applying its actions after random latency; controller crashes, restored from the status
/// persisted (through JSON) after every decision; agent restarts; switchover requests; cooldown
/// overrides.
///
/// Invariants, after every step: never two writable instances that can both acknowledge
/// writes; a quarantined instance never writable. At every promotion: the candidate is not
/// quarantined, holds every acknowledged write (semi-sync), and every transaction of each live
/// replica the machine isolated (and, in semi-sync, of every live reachable replica). At every
/// failover or switchover start: the cooldown since the last failover was respected (or
/// overridden). After healing everything (liveness runs): one writable primary, the one the
/// controller names, holding every acknowledged write (semi-sync).
@Suite struct SimulationTests {
    /// Paste a failing seed here to replay it alone.
    static let replaySeed: UInt64 = 0

    static let variants: [SimSettings] = {
        var variants: [SimSettings] = []
        for mode in ReplicationMode.allCases {
            for flavor in Flavor.allCases {
                for instances in [3, 5] {
                    var settings = SimSettings()
                    settings.mode = mode
                    settings.flavor = flavor
                    settings.instances = instances
                    variants.append(settings)
                }
            }
        }
        return variants
    }()

    static func settings(for seed: UInt64) -> SimSettings {
        variants[Int(seed % UInt64(variants.count))]
    }

    static func run(seed: UInt64, _ settings: SimSettings) -> (SimViolation?, SimStats) {
        var run = SimRun(seed: seed, settings: settings)
        let violation = run.run()
        return (violation, run.stats)
    }

    /// How many schedules each test runs: small enough for every `swift test` (about 12 s in a
    /// debug build on two cores); set `VIGIL_SIM_SCALE=20` (or more) for a deep soak.
    static let scale = ProcessInfo.processInfo.environment["VIGIL_SIM_SCALE"].flatMap { UInt64($0) } ?? 1
    /// Added to every seed: `VIGIL_SIM_OFFSET=1000000` explores fresh schedules.
    static let offset = ProcessInfo.processInfo.environment["VIGIL_SIM_OFFSET"].flatMap { UInt64($0) } ?? 0

    /// 2000 schedules by default, in four chunks so they run in parallel.
    @Test(arguments: 0..<4)
    func thousandsOfRandomSchedulesKeepTheInvariants(chunk: UInt64) {
        var total = SimStats()
        var failures: [SimViolation] = []
        let count = 500 * Self.scale
        let first = Self.offset + chunk * count + 1
        for seed in first..<(first + count) {
            let (violation, stats) = Self.run(seed: seed, Self.settings(for: seed))
            total.add(stats)
            if let violation { failures.append(violation) }
        }
        print("simulation chunk \(chunk): seeds \(first)..<\(first + count) × \(SimSettings().steps) steps, \(total)")
        if !failures.isEmpty { print("failing seeds: \(failures.map(\.seed))") }
        #expect(failures.isEmpty, "\(failures.count) failing seeds; first: \(failures.first.map(String.init(describing:)) ?? "")")
        // The schedules must actually exercise failovers, lease waits and switchovers.
        #expect(total.failovers > 50 * Int(Self.scale))
        #expect(total.leaseWaits > 10 * Int(Self.scale))
        #expect(total.switchovers > 10 * Int(Self.scale))
    }

    @Test func healedGroupsAlwaysGetAPrimaryBack() {
        var failures: [SimViolation] = []
        for seed in (Self.offset + 100_001)...(Self.offset + 100_000 + 60 * Self.scale) {
            var settings = Self.settings(for: seed)
            settings.healSteps = 450
            let (violation, _) = Self.run(seed: seed, settings)
            if let violation { failures.append(violation) }
        }
        if !failures.isEmpty { print("failing liveness seeds: \(failures.map(\.seed))") }
        #expect(failures.isEmpty, "\(failures.count) failing seeds; first: \(failures.first.map(String.init(describing:)) ?? "")")
    }

    /// The checker has teeth: agents that ignore their lease must produce a split brain.
    @Test func brokenAgentsAreCaught() {
        var caught = 0
        for seed in UInt64(200_001)...200_060 {
            var settings = Self.settings(for: seed)
            settings.mode = .async
            settings.agentsIgnoreLease = true
            if Self.run(seed: seed, settings).0 != nil { caught += 1 }
        }
        #expect(caught > 0)
    }

    @Test func replayOneSeed() {
        let seed = ProcessInfo.processInfo.environment["VIGIL_SIM_SEED"].flatMap { UInt64($0) } ?? Self.replaySeed
        guard seed != 0 else { return }
        var settings = Self.settings(for: seed)
        if ProcessInfo.processInfo.environment["VIGIL_SIM_HEAL"] != nil { settings.healSteps = 450 }
        var run = SimRun(seed: seed, settings: settings)
        let violation = run.run()
        print("replay \(seed) \(settings.mode) \(settings.flavor) \(settings.instances): \(run.stats)")
        print(run.schedule.joined(separator: "\n"))
        #expect(violation == nil, "\(violation.map(String.init(describing:)) ?? "")")
    }
}
