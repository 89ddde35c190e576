import Foundation
import VigilCore
import VigilEngine
import VigilMySQL
import VigilRouter

/// One round of the local group's loop: keep the processes alive, probe every instance for
/// the decision core, point the router, publish status.
extension LocalSupervisor {
    func tick() async {
        let started = ContinuousClock.now
        superviseProcesses(now: .now)
        let (snapshot, probeTimes) = await probeRound()
        handle(.probed(snapshot))
        updateRouter()
        writeStatus()
        recordRound(started: started, probes: probeTimes)
    }

    /// Reaps the dead and restarts them after their backoff. A dead designated primary stays
    /// down while the controller replaces it: its death is the agent's proof, and a restarted
    /// primary would only come back fenced (it rejoins as a replica once the failover is over).
    func superviseProcesses(now: ContinuousClock.Instant) {
        killWedgedReplicas(now: now)
        for i in servers.indices where !rebuilding.contains(servers[i].name) {
            if let status = servers[i].checkExited(now: now) {
                log(decision: nil, instance: servers[i].name)
                    .warning("mariadbd \(servers[i].name) exited (status \(status)); restart \(servers[i].restarts) scheduled")
                event("process", "mariadbd exited (status \(status))", instance: servers[i].name)
                probes[servers[i].name] = nil
            }
            let name = servers[i].name
            let beingReplaced = spec.instances > 1 && (machine.status.primary == name || machine.status.failover?.from == name)
            if servers[i].pid == nil, beingReplaced, let diedAt = servers[i].diedAt, now - diedAt < Self.primaryHold {
                continue
            }
            if servers[i].pid == nil, let at = servers[i].nextStart, at <= now {
                do {
                    try servers[i].startServer(spec.mysqldPath, layout: layout)
                    log(decision: nil, instance: name).info("restarted mariadbd \(name) (pid \(servers[i].pid ?? 0))")
                    event("process", "mariadbd restarted (pid \(servers[i].pid ?? 0))", instance: name)
                } catch {
                    log(decision: nil, instance: name).error("cannot restart \(name): \(error)")
                    servers[i].nextStart = now + SupervisedProcess.maxBackoff
                }
            }
        }
        superviseAgents(now: now)
        superviseLinks(now: now)
    }

    /// A replica whose process runs but has not answered a probe for `wedgedAfter` is wedged
    /// (seen: MariaDB 10.11's semi-sync ack receiver deadlocking a former primary after a
    /// partition, every new connection hanging): it is killed, restarts through the usual path
    /// and rejoins after the GTID check. Never the primary, nor one a failover is replacing:
    /// those are the failover's to judge.
    func killWedgedReplicas(now: ContinuousClock.Instant) {
        for i in servers.indices {
            let name = servers[i].name
            guard let pid = servers[i].pid, !rebuilding.contains(name), name != machine.status.primary,
                  name != machine.status.failover?.from, let since = unansweredSince[name],
                  now - max(since, servers[i].startedAt ?? since) >= Self.wedgedAfter
            else { continue }
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
            unansweredSince[name] = nil
            log(decision: nil, instance: name).warning("mariadbd \(name) runs but has not answered for \(Self.wedgedAfter): killed it (wedged); it restarts and rejoins")
            event("process", "mariadbd wedged (no answer for \(Self.wedgedAfter) while running): killed", instance: name)
        }
    }

    static var wedgedAfter: Duration { .seconds(60) }

    /// How long a dead primary is held down when no failover replaces it (cooldown, no
    /// candidate): then it restarts, fenced, and its agent lifts the fence on the word.
    static var primaryHold: Duration { .seconds(30) }

    /// Observes every instance in parallel on short-timeout sessions: a hung instance costs a
    /// second, never the round. Also returns each probe's duration and whether it answered.
    func probeRound() async -> (GroupSnapshot, [String: (Duration, Bool)]) {
        var times: [String: (Duration, Bool)] = [:]
        for name in names where probes[name] == nil {
            let started = ContinuousClock.now
            if let i = names.firstIndex(of: name), servers[i].pid != nil,
               let conn = try? await MySQLConnection.connect(probeConfig(name)),
               let ops = try? InstanceOperations(instance: name, connection: conn, logger: log(decision: nil, instance: name)) {
                probes[name] = ops
            } else {
                times[name] = (.now - started, false)
            }
        }
        let current = probes
        let results = await withTaskGroup(of: (String, InstanceObservation?, Duration).self) { group in
            for (name, ops) in current {
                group.addTask {
                    let started = ContinuousClock.now
                    let obs = try? await ops.observe()
                    return (name, obs, .now - started)
                }
            }
            var out: [(String, InstanceObservation?, Duration)] = []
            for await result in group { out.append(result) }
            return out
        }
        var observed: [String: InstanceObservation] = [:]
        for (name, obs, duration) in results {
            if let obs { observed[name] = obs }
            times[name] = (duration, obs != nil)
        }
        observations = observed
        for name in names {
            if observed[name] != nil { unansweredSince[name] = nil } else if unansweredSince[name] == nil { unansweredSince[name] = .now }
        }
        for name in names where observed[name] == nil {
            guard let ops = probes[name] else { continue }
            probes[name] = nil  // reconnect next round
            if let conn = ops.session as? MySQLConnection { Task { await conn.close() } }
        }
        let snapshot = GroupSnapshot(
            takenAt: clock.now(),
            instances: names.map { observed[$0] ?? .unreachable($0, flavor: .mariadb) })
        return (snapshot, times)
    }

    func isHealthyReplica(_ name: String) -> Bool {
        guard machine.status.quarantined[name] == nil, machine.status.pendingRejoin[name] == nil else { return false }
        guard name != machine.status.primary, let obs = observations[name], let r = obs.replica else { return false }
        return r.isReplicating && !obs.isWritable && (r.secondsBehindSource ?? 0) < 30
    }

    func endpoint(_ name: String) -> RouterEndpoint {
        RouterEndpoint(name: name, host: "127.0.0.1", port: spec.clientPort(names.firstIndex(of: name)!))
    }

    /// Writes go where the controller moved traffic, and only while its word lets that
    /// instance write: a deposed primary loses its clients the moment the word changes.
    func targets() -> RouterTargets {
        let word = machine.status.word
        let primary = trafficPrimary.flatMap { word.allowsWrites(by: $0) ? endpoint($0) : nil }
        return RouterTargets(primary: primary, replicas: names.filter(isHealthyReplica).map(endpoint))
    }

    func updateRouter() {
        router?.update(targets())
    }

    func role(_ name: String) -> String {
        guard let obs = observations[name] else { return "down" }
        if machine.status.quarantined[name] != nil { return "fenced" }
        if name == machine.status.primary && obs.isWritable { return "primary" }
        if obs.replica != nil { return "replica" }
        return "fenced"
    }

    func writeStatus() {
        let t = targets()
        let stats = router?.stats
        let instances: [LocalStatus.Instance] = names.enumerated().map { i, name in
            let obs = observations[name]
            let role = role(name)
            return LocalStatus.Instance(
                name: name, site: spec.site(i), role: role,
                healthy: name == machine.status.primary ? role == "primary" : isHealthyReplica(name),
                port: spec.mysqlPort(i), pid: servers[i].pid, gtid: obs?.executedGTIDs?.description,
                lagSeconds: obs?.replica?.secondsBehindSource.map(Double.init), restarts: servers[i].restarts,
                quarantinedErrantGTIDs: state.quarantined[name], urls: agentURLs(index: i))
        }
        var connections: [String: Int] = [:]
        if let stats {
            for (k, v) in stats.readWrite.activeByTarget { connections[k, default: 0] += v }
            for (k, v) in stats.readOnly.activeByTarget { connections[k, default: 0] += v }
        }
        let base = "http://127.0.0.1:\(spec.controllerPort)"
        let group = machine.status
        let status = LocalStatus(
            group: URL(fileURLWithPath: layout.root).lastPathComponent, phase: state.phase.rawValue,
            mode: spec.mode == .lossless ? "semisync" : "async",
            primary: instances.first { $0.role == "primary" }?.name,
            router: .init(readWrite: "127.0.0.1:\(spec.routerReadWritePort)", readOnly: "127.0.0.1:\(spec.routerReadOnlyPort)",
                          readWriteTarget: t.primary?.name, readOnlyTargets: t.replicas.map(\.name), connections: connections),
            instances: instances,
            controller: .init(pid: getpid(), urls: .init(metrics: base + "/metrics", healthz: base + "/healthz",
                                                          status: base + "/status", dashboard: base + "/", readyz: base + "/readyz",
                                                          statusWebSocket: "ws://127.0.0.1:\(spec.controllerPort)/ws/status"),
                              state: group.state.name, term: group.term, designatedPrimary: group.primary,
                              reason: lastReason.map { LocalGroup.readableInstants($0.description) }, operation: group.operation.map(Self.describe)),
            lastFailover: state.lastFailover, cooldownUntil: state.cooldownUntil,
            updatedAt: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(status) {
            statusJSON = data
            do {
                try FileWriting.atomicWrite(data, to: layout.statusFile, mode: 0o644)
            } catch {
                observe.metrics.reconcileError(group: groupName)
            }
        }
        currentStatus = status
        recordInstances(instances)
        publishSnapshot()
    }

    static func describe(_ operation: GroupOperation) -> String {
        switch operation {
        case .failover(let p): "failover from \(p.from ?? "-") (\(GroupStateMachine.name(of: p.step)))"
        case .switchover(let p): "switchover \(p.from) → \(p.to)"
        }
    }
}
