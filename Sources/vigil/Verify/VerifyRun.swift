import Foundation
import VigilLocal
import VigilMySQL
import VigilRouter
import VigilVerify

/// One `vigil verify` run: clients write through the router and record every operation,
/// a seeded schedule injects faults, then the group is healed, every instance is read and the
/// history goes to the checker (`VigilVerify.Checker`).
struct VerifyRun {
    let layout: LocalLayout
    let spec: LocalSpec
    let workload: Workload
    let seed: UInt64
    let faults: [String]
    let duration: Duration
    let clients: Int
    let appPassword: String
    let adminPassword: String
    /// Between faults, rebuild quarantined instances (the operator's way back).
    var rebuildQuarantined = false
    let log: @Sendable (String) -> Void

    /// Run-relative milliseconds on one monotonic clock.
    let start = ContinuousClock.now
    let wallStartMs = Int64(Date().timeIntervalSince1970 * 1000)
    func nowMs() -> Int64 { (ContinuousClock.now - start).wholeMillisecondsValue }

    func execute() async throws -> History {
        try await prepareTable()
        let recorder = Recorder()
        let stop = StopFlag()
        let portToName = Dictionary(uniqueKeysWithValues: (0..<spec.instances).map { (spec.mysqlPort($0), spec.instanceName($0)) })
        let workers = (0..<clients).map { client in
            Task { await clientLoop(client, recorder: recorder, stop: stop, names: portToName) }
        }
        let faultPeriods = await runSchedule()
        stop.set()
        for worker in workers { await worker.value }
        _ = try? await LocalChaos.inject(.heal, layout: layout)
        log(String(format: "%6.1f s  healing; waiting for every instance to be healthy", Double(nowMs()) / 1000))
        await waitHealthy(timeout: .seconds(90))
        log(String(format: "%6.1f s  reading every instance", Double(nowMs()) / 1000))
        let finals = await finalReads()
        return History(
            workload: workload, seed: seed, mode: spec.mode == .lossless ? "semisync" : "async",
            operations: await recorder.operations.sorted { $0.id < $1.id }, faults: faultPeriods,
            transitions: transitions(), finalReads: finals)
    }

    // MARK: workload

    func appConfig(port: Int) -> MySQLConfiguration {
        MySQLConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), user: "app", password: appPassword, database: "app",
                           tls: .disable, connectTimeout: .seconds(1), queryTimeout: .seconds(3))
    }

    func prepareTable() async throws {
        let conn = try await MySQLConnection.connect(appConfig(port: spec.routerReadWritePort))
        defer { Task { await conn.close() } }
        try await VerifyWorkload.prepare(workload, on: conn)
    }

    /// One client: operations one at a time through the read-write port, each recorded.
    func clientLoop(_ client: Int, recorder: Recorder, stop: StopFlag, names: [Int: String]) async {
        var connection: MySQLConnection?
        var server: String?
        var sequence = 0
        var random = SplitMix(seed: seed &+ UInt64(client) &* 0x9E37_79B9)
        while !stop.isSet {
            if connection == nil {
                guard let conn = try? await MySQLConnection.connect(appConfig(port: spec.routerReadWritePort)) else {
                    try? await Task.sleep(for: .milliseconds(20))
                    continue
                }
                let port = try? await conn.query("SELECT @@port").rows.first?[0].int
                // Every commit then reports its GTID in the OK packet (no extra round trip).
                _ = try? await conn.query("SET SESSION session_track_system_variables = 'last_gtid'")
                connection = conn
                server = port.flatMap { names[Int($0)] }
            }
            guard let conn = connection else { continue }
            sequence += 1
            let id = await recorder.nextID()
            let invoked = nowMs()
            let (op, outcome, gtid) = await VerifyWorkload.operation(workload, client: client, sequence: sequence, id: id,
                                                                     random: &random, on: conn)
            let completed = nowMs()
            await recorder.add(VigilVerify.Operation(id: id, client: client, op: op, invokedAtMs: invoked,
                                                     completedAtMs: completed, outcome: outcome, server: server, gtid: gtid))
            if outcome != .ok {
                await conn.close()
                connection = nil
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        if let conn = connection { await conn.close() }
    }

    // MARK: faults

    /// Faults spread evenly over the run, chosen by the seed; each waits for a healed group.
    func runSchedule() async -> [FaultPeriod] {
        var random = SplitMix(seed: seed)
        var periods: [FaultPeriod] = []
        let slots = max(1, Int(duration.components.seconds / 20))
        let slot = duration / slots
        for index in 0..<slots {
            let slotStart = start + slot * index
            try? await Task.sleep(until: slotStart + slot / 3, clock: .continuous)
            await waitHealthy(timeout: slot / 2)
            if rebuildQuarantined { await rebuildQuarantinedInstances() }
            _ = try? await LocalGroup.operatorCommand(layout, .overrideCooldown)
            let fault = faults[Int(random.next() % UInt64(faults.count))]
            var begin = nowMs()
            var target: String?
            var detail = ""
            do {
                switch fault {
                case "switchover":
                    let record = try await LocalGroup.switchover(layout, to: nil)
                    target = record.to
                case "pause-primary":
                    target = try await LocalChaos.inject(.pausePrimary, layout: layout, pauseFor: .seconds(8)).targets.first
                case "partition-primary":
                    (target, detail) = try await partitionPrimary(&random) { begin = nowMs() }
                case "kill-controller":
                    // Down for 1–4 s, then a new supervisor takes the running group over.
                    let down = Duration.milliseconds(Int64(1000 + random.next() % 3000))
                    _ = try await LocalChaos.inject(.killController, layout: layout, restartAfter: down, executable: selfPath())
                    detail = ": down \(down), then a new supervisor took the group over"
                default:
                    guard let kind = LocalChaos.Fault(rawValue: fault) else { continue }
                    target = try await LocalChaos.inject(kind, layout: layout).targets.first
                }
                log("\(String(format: "%6.1f", Double(begin) / 1000)) s  \(fault) \(target ?? "")\(detail)")
            } catch {
                log("\(String(format: "%6.1f", Double(begin) / 1000)) s  \(fault) not injected: \(error)")
                continue
            }
            periods.append(FaultPeriod(kind: fault, target: target, startMs: begin, endMs: nowMs()))
        }
        try? await Task.sleep(until: start + duration, clock: .continuous)
        return periods
    }

    /// Cuts the primary off for 8–18 s (past the lease, so some end in a failover), from one of: everything; replicas and controller while
    /// clients still reach it (the zombie primary); the controller alone (no failover may
    /// follow); the replicas alone (lossless semi-sync holds its commits). Then heals.
    /// `inForce` runs once the links are cut: the fault starts then (RTO counts from there,
    /// not from before the cut, when writes still succeed).
    func partitionPrimary(_ random: inout SplitMix, inForce: () -> Void) async throws -> (target: String?, detail: String) {
        let choices: [Set<PartitionSide>] = [Set(PartitionSide.allCases), [.replicas, .controller], [.controller], [.replicas]]
        let sides = choices[Int(random.next() % UInt64(choices.count))]
        let fault: LinkFault = random.next() % 2 == 0 ? .blackhole : .reset
        let hold = Duration.milliseconds(Int64(8000 + random.next() % 10000))
        let injected = try await LocalChaos.inject(.partitionPrimary, layout: layout,
                                                   partition: LocalChaos.Partition(sides: sides, fault: fault))
        inForce()
        try? await Task.sleep(for: hold)
        try await LocalLinks.apply([:], layout: layout)
        let from = PartitionSide.allCases.filter(sides.contains).map(\.rawValue).joined(separator: "+")
        return (injected.targets.first, " from \(from) (\(fault.rawValue)), healed after \(hold)")
    }

    /// What an operator does with a quarantined instance: a fresh copy of the primary.
    func rebuildQuarantinedInstances() async {
        let quarantined = (status()["instances"] as? [[String: Any]] ?? []).compactMap { i -> (String, String)? in
            guard let name = i["name"] as? String, let errant = i["quarantinedErrantGTIDs"] as? String else { return nil }
            return (name, errant)
        }
        for (name, errant) in quarantined {
            let at = String(format: "%6.1f", Double(nowMs()) / 1000)
            do {
                let reply = try await LocalGroup.rebuild(layout, name)
                log("\(at) s  operator: \(name) was quarantined (errant \(errant)); \(reply.reason)")
            } catch {
                log("\(at) s  operator: rebuilding \(name) failed: \(error)")
            }
        }
        if !quarantined.isEmpty { await waitHealthy(timeout: .seconds(10)) }
    }

    func status() -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: layout.statusFile) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func waitHealthy(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let s = status()
            let instances = s["instances"] as? [[String: Any]] ?? []
            // A quarantined instance (it kept an unacknowledged transaction of a paused primary)
            // stays out until an operator acts: settled, not healing.
            let settled = instances.allSatisfy { $0["healthy"] as? Bool == true || $0["quarantinedErrantGTIDs"] is String }
            if s["primary"] is String, !instances.isEmpty, settled { return }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    // MARK: after the run

    /// Every instance read directly with the admin account (replicas included).
    func finalReads() async -> [FinalRead] {
        let roles = Dictionary(uniqueKeysWithValues: (status()["instances"] as? [[String: Any]] ?? []).compactMap { i in
            (i["name"] as? String).map { ($0, i["role"] as? String) }
        })
        var reads: [FinalRead] = []
        for index in 0..<spec.instances {
            let name = spec.instanceName(index)
            let config = MySQLConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: spec.mysqlPort(index)), user: "vigil_admin", password: adminPassword,
                database: "app", tls: .disable, connectTimeout: .seconds(2), queryTimeout: .seconds(30))
            guard let conn = try? await MySQLConnection.connect(config) else {
                reads.append(FinalRead(instance: name, reachable: false, role: nil, insertedKeys: nil, balances: nil, lists: nil,
                                       gtidExecuted: nil))
                continue
            }
            let gtid = try? await conn.query("SELECT @@gtid_current_pos").rows.first?.string(0)
            reads.append(await VerifyWorkload.finalRead(workload, name: name, role: roles[name] ?? nil, gtid: gtid, on: conn))
            await conn.close()
        }
        return reads
    }

    /// Failovers and switchovers the controller recorded during the run (`events.jsonl`), each
    /// at the start of its promoting step: the new primary cannot acknowledge before it, and
    /// it may acknowledge well before the record completes (repointing the old primary comes
    /// last), so the completion time would misplace the transition.
    func transitions() -> [RoleTransition] {
        guard let text = try? String(contentsOfFile: layout.eventsFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> RoleTransition? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = object["kind"] as? String, let record = object["record"] as? [String: Any],
                  let to = record["to"] as? String, let completed = (record["completedAt"] as? NSNumber)?.int64Value
            else { return nil }
            let steps = record["steps"] as? [[String: Any]] ?? []
            let promoting = steps.first { $0["step"] as? String == "promoting" }.flatMap { ($0["startedAt"] as? NSNumber)?.int64Value }
            let at = (promoting ?? completed) - wallStartMs
            guard at >= 0 else { return nil }
            return RoleTransition(atMs: at, from: record["from"] as? String, to: to, kind: kind)
        }
    }
}

/// Thread-safe operation log shared by the client tasks.
actor Recorder {
    private(set) var operations: [VigilVerify.Operation] = []
    private var counter = 0

    func nextID() -> Int {
        counter += 1
        return counter
    }

    func add(_ operation: VigilVerify.Operation) { operations.append(operation) }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// A tiny seeded generator: the fault schedule replays from `--seed`.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Duration {
    var wholeMillisecondsValue: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
