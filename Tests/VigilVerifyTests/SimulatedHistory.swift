@testable import VigilVerify

/// SplitMix64: a tiny deterministic generator so one seed names one whole history.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A correct group, simulated: one primary at a time, failovers and switchovers recorded as
/// transitions (failovers preceded by a fault), clients interleaving writes and reads against
/// whoever is primary. Every acknowledged write commits between its invocation and its
/// acknowledgement and reaches every later primary; an operation that spans a transition is
/// either acknowledged by the old primary (it committed before the hand-over) or unknown.
/// Replicas may lag (a prefix of the commit order). Such a history must never show a loss or
/// a split brain.
enum SimulatedHistory {
    static let servers = ["db1", "db2", "db3"]

    static func make(seed: UInt64, durationMs: Int64 = 8_000) -> History {
        var rng = SplitMix64(state: seed)
        let lists = Bool.random(using: &rng)
        let duration = durationMs
        let clients = Int.random(in: 1...5, using: &rng)

        // The primary timeline.
        var primary = servers.randomElement(using: &rng)!
        var timeline: [(from: Int64, server: String)] = [(0, primary)]
        var transitions: [RoleTransition] = []
        var faults: [FaultPeriod] = []
        var t: Int64 = 0
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            t += Int64.random(in: 500...2_000, using: &rng)
            guard t < duration else { break }
            let next = servers.filter { $0 != primary }.randomElement(using: &rng)!
            let failover = Bool.random(using: &rng)
            let kind = failover ? "failover" : "switchover"
            let faultKind = failover ? ["kill-primary", "pause-primary", "partition-primary"].randomElement(using: &rng)! : "switchover"
            faults.append(FaultPeriod(kind: faultKind, target: primary, startMs: t - Int64.random(in: 0...400, using: &rng), endMs: t + 100))
            transitions.append(RoleTransition(atMs: t, from: primary, to: next, kind: kind))
            timeline.append((t, next))
            primary = next
        }
        func primaryAt(_ time: Int64) -> (server: String, until: Int64?) {
            let index = timeline.lastIndex { $0.from <= time }!
            return (timeline[index].server, index + 1 < timeline.count ? timeline[index + 1].from : nil)
        }

        var operations: [Operation] = []
        var commits: [(time: Int64, op: Operation)] = []
        var nextID = 1
        for client in 0..<clients {
            var now = Int64.random(in: 0...50, using: &rng)
            while now < duration {
                let latency = Int.random(in: 0..<20, using: &rng) == 0
                    ? Int64.random(in: 200...1_500, using: &rng) : Int64.random(in: 1...30, using: &rng)
                let done = now + latency
                let (server, until) = primaryAt(now)
                let id = nextID
                nextID += 1
                let key = Int.random(in: 0..<3, using: &rng)
                let isRead = lists && Int.random(in: 0..<4, using: &rng) == 0
                var op: Op = lists ? .append(key: key, value: id) : .insert(key: id)
                var outcome = Operation.Outcome.ok
                var commitAt: Int64? = Int64.random(in: now...done, using: &rng)
                if let until, until <= done {
                    // Spans a hand-over: committed before it and acknowledged, or unknown.
                    if Bool.random(using: &rng), !isRead {
                        commitAt = Int64.random(in: now..<until, using: &rng)
                    } else {
                        outcome = .unknown
                        commitAt = Bool.random(using: &rng) && !isRead ? Int64.random(in: now..<until, using: &rng) : nil
                    }
                } else if !isRead, Int.random(in: 0..<20, using: &rng) == 0 {
                    outcome = .fail
                    commitAt = nil
                }
                if isRead {
                    // Filled in below once every commit is known.
                    op = .readList(key: key, values: nil)
                }
                let operation = Operation(
                    id: id, client: client, op: op, invokedAtMs: now, completedAtMs: outcome == .unknown ? nil : done,
                    outcome: outcome, server: outcome == .ok ? server : nil, gtid: nil)
                operations.append(operation)
                if let commitAt, !isRead { commits.append((commitAt, operation)) }
                if isRead, let commitAt { commits.append((commitAt, operation)) }
                now = done + Int64.random(in: 0...20, using: &rng)
            }
        }

        // Linearizable reads: everything committed up to the read's instant, in commit order.
        commits.sort { ($0.time, $0.op.id) < ($1.time, $1.op.id) }
        let writes = commits.filter { $0.op.op.isWrite }
        for (time, read) in commits where !read.op.isWrite {
            guard case .readList(let key, _) = read.op, read.outcome == .ok else { continue }
            let values = writes.filter { $0.time <= time }.compactMap { entry -> Int? in
                if case .append(key, let value) = entry.op.op { return value }
                return nil
            }
            operations[read.id - 1].op = .readList(key: key, values: values)
        }

        func finalRead(_ instance: String, prefix: Int) -> FinalRead {
            let landed = writes.prefix(prefix).map(\.op)
            var read = FinalRead(instance: instance, role: instance == primary ? "primary" : "replica")
            if lists {
                var byKey: [Int: [Int]] = [:]
                for op in landed { if case .append(let key, let value) = op.op { byKey[key, default: []].append(value) } }
                read.lists = byKey
            } else {
                read.insertedKeys = landed.compactMap { if case .insert(let key) = $0.op { key } else { nil } }
            }
            return read
        }
        let finals = servers.map { server in
            finalRead(server, prefix: server == primary ? writes.count : Int.random(in: 0...writes.count, using: &rng))
        }
        return History(
            workload: lists ? .listAppend(keys: 3) : .uniqueInserts, seed: seed, mode: "semisync",
            operations: operations, faults: faults, transitions: transitions, finalReads: finals)
    }
}
