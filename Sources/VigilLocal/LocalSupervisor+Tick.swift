import Foundation
import VigilCore
import VigilEngine
import VigilMySQL
import VigilRouter

/// The controller loop of a local group: restart dead servers, rejoin restarted replicas,
/// feed the router from what is observed, publish status.
extension LocalSupervisor {
    func tick() async {
        let now = ContinuousClock.now
        // 1. Processes: reap the dead, restart when their backoff has passed.
        for i in servers.indices {
            if let status = servers[i].checkExited(now: now) {
                logger.warning("mariadbd \(servers[i].name) exited (status \(status)); restart \(servers[i].restarts) scheduled")
                admin[servers[i].name] = nil
            }
            if servers[i].pid == nil, let at = servers[i].nextStart, at <= now {
                do {
                    try servers[i].start(spec.mysqldPath, layout: layout)
                    logger.info("restarted mariadbd \(servers[i].name) (pid \(servers[i].pid ?? 0))")
                } catch {
                    logger.error("cannot restart \(servers[i].name): \(error)")
                    servers[i].nextStart = now + ServerProcess.maxBackoff
                }
            }
        }
        // 2. Sessions and observations (in parallel: a hung instance must not stall the others).
        for name in names where admin[name] == nil {
            if let i = names.firstIndex(of: name), servers[i].pid != nil,
               let conn = try? await MySQLConnection.connect(adminConfig(name)),
               let ops = try? InstanceOperations(instance: name, connection: conn, logger: logger) {
                admin[name] = ops
            }
        }
        let current = admin
        let observed = await withTaskGroup(of: (String, InstanceObservation?).self) { group in
            for (name, ops) in current {
                group.addTask { (name, try? await ops.observe()) }
            }
            var out: [String: InstanceObservation] = [:]
            for await (name, obs) in group { if let obs { out[name] = obs } }
            return out
        }
        observations = observed
        for name in names where observed[name] == nil && admin[name] != nil {
            admin[name] = nil  // reconnect next tick
        }
        // 3. A restarted instance comes back read-only; rejoin it once it answers.
        for i in servers.indices where servers[i].needsRejoin && observed[servers[i].name] != nil {
            let name = servers[i].name
            do {
                if name == state.primary {
                    // No failover has moved the primary: it resumes its role.
                    try await admin[name]!.promote(semiSyncGroupSize: spec.mode == .lossless ? spec.instances : nil)
                } else {
                    // It came back read-only (my.cnf); it follows the primary again only if
                    // it holds nothing the primary lacks. Divergent writes are kept, listed
                    // and never replicated over: the instance stays fenced (quarantined).
                    guard let errant = errantTransactions(of: name) else { continue }
                    if !errant.isEmpty {
                        if state.quarantined[name] != errant.description {
                            state.quarantined[name] = errant.description
                            try? state.save(layout)
                            logger.error("\(name) holds transactions the primary lacks (\(errant)); quarantined, left read-only")
                        }
                        continue
                    }
                    try await rejoin(name)
                }
                servers[i].needsRejoin = false
                logger.info("\(name) rejoined as \(name == state.primary ? "primary" : "replica")")
            } catch {
                logger.warning("rejoining \(name) failed, will retry: \(error)")
            }
        }
        // 4. Traffic follows the observations.
        let routing = targets()
        router?.update(routing)
        writeStatus(targets: routing)
    }

    /// What `name` has that the primary does not; nil while either cannot be observed.
    func errantTransactions(of name: String) -> GTIDState? {
        guard let mine = observations[name]?.executedGTIDs,
              let primary = observations[state.primary]?.executedGTIDs else { return nil }
        return try? mine.errant(relativeTo: primary)
    }

    func isHealthyReplica(_ name: String) -> Bool {
        guard state.quarantined[name] == nil else { return false }
        guard name != state.primary, let obs = observations[name], let r = obs.replica else { return false }
        return r.isReplicating && !obs.isWritable && (r.secondsBehindSource ?? 0) < 30
    }

    func endpoint(_ name: String) -> RouterEndpoint {
        RouterEndpoint(name: name, host: "127.0.0.1", port: spec.mysqlPort(names.firstIndex(of: name)!))
    }

    func targets() -> RouterTargets {
        let primaryOK = observations[state.primary]?.isWritable == true
        return RouterTargets(primary: primaryOK ? endpoint(state.primary) : nil,
                             replicas: names.filter(isHealthyReplica).map(endpoint))
    }

    func writeStatus(targets t: RouterTargets) {
        let stats = router?.stats
        let instances: [LocalStatus.Instance] = names.enumerated().map { i, name in
            let obs = observations[name]
            let role: String
            if obs == nil { role = "down" }
            else if state.quarantined[name] != nil { role = "fenced" }
            else if name == state.primary && obs!.isWritable { role = "primary" }
            else if obs!.replica != nil { role = "replica" }
            else { role = "fenced" }
            return LocalStatus.Instance(
                name: name, site: spec.site(i), role: role,
                healthy: name == state.primary ? role == "primary" : isHealthyReplica(name),
                port: spec.mysqlPort(i), pid: servers[i].pid, gtid: obs?.executedGTIDs?.description,
                lagSeconds: obs?.replica?.secondsBehindSource.map(Double.init), restarts: servers[i].restarts,
                quarantinedErrantGTIDs: state.quarantined[name], urls: nil)
        }
        var connections: [String: Int] = [:]
        if let stats {
            for (k, v) in stats.readWrite.activeByTarget { connections[k, default: 0] += v }
            for (k, v) in stats.readOnly.activeByTarget { connections[k, default: 0] += v }
        }
        let base = "http://127.0.0.1:\(spec.controllerPort)"
        let status = LocalStatus(
            group: URL(fileURLWithPath: layout.root).lastPathComponent, phase: state.phase.rawValue,
            mode: spec.mode == .lossless ? "semisync" : "async",
            primary: instances.first { $0.role == "primary" }?.name,
            router: .init(readWrite: "127.0.0.1:\(spec.routerReadWritePort)", readOnly: "127.0.0.1:\(spec.routerReadOnlyPort)",
                          readWriteTarget: t.primary?.name, readOnlyTargets: t.replicas.map(\.name), connections: connections),
            instances: instances,
            controller: .init(pid: getpid(), urls: .init(metrics: base + "/metrics", healthz: base + "/healthz",
                                                          status: base + "/status", dashboard: base + "/")),
            lastFailover: state.lastFailover, cooldownUntil: state.cooldownUntil,
            updatedAt: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(status) {
            try? FileWriting.atomicWrite(data, to: layout.statusFile, mode: 0o644)
        }
    }
}
