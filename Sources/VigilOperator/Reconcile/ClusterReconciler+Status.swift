import Foundation
import VigilControl
import VigilCore
import VigilKube

/// Status, pod labels and site taints, from the controller's latest look at the instances.
extension ClusterReconciler {
    /// One round: instance roles and health → pod labels → taints → status (written only
    /// when it changed). Runs after every reconcile and on the operator's timer.
    func refreshStatus() async throws(KubeError) {
        guard let plan, let cluster = lastCluster, cluster.status?.initialized == true || controller != nil,
              let controller else { return }
        let observations = await controller.observations
        let group = await controller.status
        let instances = plan.instances.map { instance in
            instanceStatus(instance, observation: observations[instance.name], group: group)
        }
        try await repairLabels(instances, group: group)
        try await ensureDNS(instances, group: group, plan: plan)
        try await updateTaints(instances, plan: plan)

        var status = lastStatus ?? cluster.status ?? MySQLClusterStatus()
        if status.switchover == nil { status.switchover = cluster.status?.switchover }
        status.instances = instances
        let writable = instances.first { $0.role == "primary" }
        status.primary = group.primary
        status.ready = "\(instances.filter(\.healthy).count)/\(instances.count)"
        status.observedGeneration = cluster.metadata.generation
        status.cooldownUntil = group.cooldownUntil.map(ControllerClock.iso8601)
        let unhealthy = instances.filter { !$0.healthy }.map(\.name)
        switch group.state {
        case .failingOver, .confirming: status.phase = "FailingOver"
        case .switchingOver: status.phase = "SwitchingOver"
        default: status.phase = writable == nil ? "Unavailable" : unhealthy.isEmpty ? "Running" : "Degraded"
        }
        if let served = status.switchover, served.state == "Running", let record = group.lastSwitchover,
           record.to == served.to || served.to == "any", group.switchover == nil {
            status.switchover?.state = record.outcome == .completed ? "Succeeded" : "RolledBack"
            status.switchover?.message = "\(record.from) → \(record.to), writes blocked \(record.writeBlockedMs) ms"
        }
        let blocked: String? = if case .blocked(let why) = group.state { "\(why)" } else { nil }
        status.conditions = Conditions.set(status.conditions, [
            Condition(type: "Available", status: writable == nil ? "False" : "True",
                      reason: writable == nil ? "NoWritablePrimary" : "PrimaryWritable",
                      message: writable.map { "\($0.name) accepts writes" } ?? "no instance accepts writes (\(group.state.name))"),
            Condition(type: "Progressing", status: group.operation == nil ? "False" : "True",
                      reason: group.operation == nil ? "Idle" : group.state.name.prefix(1).uppercased() + group.state.name.dropFirst(),
                      message: lastReasonText(await controller.lastReason)),
            Condition(type: "Degraded", status: unhealthy.isEmpty ? "False" : "True",
                      reason: unhealthy.isEmpty ? "AllHealthy" : "InstancesUnhealthy",
                      message: unhealthy.isEmpty ? "every instance is healthy" : "unhealthy: \(unhealthy.joined(separator: ", "))"),
            Condition(type: "FailoverBlocked", status: blocked == nil ? "False" : "True",
                      reason: blocked == nil ? "NotBlocked" : "Blocked", message: blocked ?? "failover is possible"),
        ], generation: cluster.metadata.generation)
        try await writeStatus(status)
        recordMetrics(instances, group: group)
    }

    func recordMetrics(_ instances: [MySQLClusterStatus.InstanceStatus], group: GroupStatus) {
        let metrics = observability.metrics
        metrics.setGroupState(group: key, state: group.state.name)
        metrics.setInstances(group: key, instances.map { ($0.role, $0.healthy) })
        for instance in instances { metrics.setReplicationLag(group: key, instance: instance.name, seconds: instance.lagSeconds) }
        metrics.setTerm(group: key, group.term)
        let now = clock.now()
        let remaining = group.cooldownUntil.map { max(.zero, $0 - now) } ?? .zero
        let elapsed = lastMetricsAt.map { ContinuousClock.now - $0 } ?? .zero
        metrics.cooldown(group: key, remaining: remaining, elapsed: elapsed)
        lastMetricsAt = .now
    }

    func lastReasonText(_ reason: Reason?) -> String {
        reason.map { "\($0)" } ?? "no decision yet"
    }

    func instanceStatus(_ instance: ClusterPlan.Instance, observation: InstanceObservation?,
                        group: GroupStatus) -> MySQLClusterStatus.InstanceStatus {
        let pod = pods[instance.name]
        let role: String
        var healthy = false
        if let observation {
            if group.quarantined[instance.name] != nil {
                role = "fenced"
            } else if instance.name == group.primary && observation.isWritable {
                role = "primary"
                healthy = true
            } else if let replica = observation.replica {
                role = "replica"
                healthy = replica.isReplicating && !observation.isWritable && (replica.secondsBehindSource ?? 0) < 30
                    && group.pendingRejoin[instance.name] == nil
            } else {
                role = "fenced"
            }
        } else {
            role = pod?.status?.podIP == nil ? "pending" : "down"
        }
        return MySQLClusterStatus.InstanceStatus(
            name: instance.name, site: instance.site, role: role, healthy: healthy, gtid: observation?.executedGTIDs?.description,
            lagSeconds: observation?.replica?.secondsBehindSource.map(Double.init), podIP: pod?.status?.podIP, node: pod?.spec?.nodeName)
    }

    /// Labels follow the observed roles; `role=primary` only on the designated primary while
    /// its word lets it write. Demotions are written before the promotion.
    func repairLabels(_ instances: [MySQLClusterStatus.InstanceStatus], group: GroupStatus) async throws(KubeError) {
        let ordered = instances.sorted { a, _ in a.role != "primary" }
        for instance in ordered {
            guard let pod = pods[instance.name] else { continue }
            let role = instance.role == "primary" && group.word.allowsWrites(by: instance.name) ? "primary" : "replica"
            let healthy = instance.healthy ? "yes" : "no"
            let labels = pod.metadata.labels ?? [:]
            guard labels[ClusterLabels.role] != role || labels[ClusterLabels.healthy] != healthy else { continue }
            do {
                let patched: Pod = try await client.mergePatch(
                    Pod.self, name: pod.name, namespace: namespace,
                    patch: ["metadata": ["labels": [ClusterLabels.role: .string(role), ClusterLabels.healthy: .string(healthy)]]])
                pods[instance.name] = patched
            } catch where error.isNotFound {
                pods[instance.name] = nil
            }
        }
    }

    /// The DNS record names the primary once it is seen writable (a failover moves it through
    /// the platform as soon as the new primary is confirmed; this keeps it right otherwise).
    func ensureDNS(_ instances: [MySQLClusterStatus.InstanceStatus], group: GroupStatus, plan: ClusterPlan) async throws(KubeError) {
        guard plan.dnsHostname != nil, let primary = instances.first(where: { $0.role == "primary" }),
              group.word.allowsWrites(by: primary.name), let address = primary.podIP, dnsTarget != address,
              let objects = platform?.objects, let record = objects.dnsEndpoint(primaryAddress: address) else { return }
        _ = try await client.apply(record, force: true)
        dnsTarget = address
    }

    // MARK: taints

    var taint: Taint? { plan.map { Taint(key: $0.taintKey, value: "true", effect: "NoExecute") } }

    /// A site whose every instance stayed unreachable for the failure threshold gets its nodes
    /// tainted; the taint goes once any of its instances answers again.
    func updateTaints(_ instances: [MySQLClusterStatus.InstanceStatus], plan: ClusterPlan) async throws(KubeError) {
        guard plan.taintsEnabled, plan.sites.count > 1 else { return }
        for site in plan.sites {
            let members = instances.filter { $0.site == site }
            let down = !members.isEmpty && members.allSatisfy { $0.role == "down" || $0.role == "pending" }
            siteDownRounds[site] = down ? (siteDownRounds[site] ?? 0) + 1 : 0
            let nodes = Set(members.compactMap(\.node))
            if down, siteDownRounds[site] == plan.group.failureThreshold {
                for node in nodes { try await setTaint(node, present: true) }
                await events?.record("SiteTainted", "site \(site) is down: tainted \(nodes.sorted().joined(separator: ", ")) with \(plan.taintKey)",
                                     warning: true)
            } else if !down {
                for node in nodes where taintedNodes.contains(node) {
                    try await setTaint(node, present: false)
                    await events?.record("SiteUntainted", "site \(site) answers again: untainted \(node)")
                }
            }
        }
    }

    func setTaint(_ nodeName: String, present: Bool) async throws(KubeError) {
        guard let taint else { return }
        for _ in 0..<5 {
            guard var node = try await client.getIfPresent(Node.self, name: nodeName) else { taintedNodes.remove(nodeName); return }
            var taints = node.spec?.taints ?? []
            let has = taints.contains { $0.key == taint.key }
            if has == present {
                if present { taintedNodes.insert(nodeName) } else { taintedNodes.remove(nodeName) }
                return
            }
            if present { taints.append(taint) } else { taints.removeAll { $0.key == taint.key } }
            node.spec = NodeSpec(taints: taints, unschedulable: node.spec?.unschedulable, podCIDR: node.spec?.podCIDR)
            do {
                _ = try await client.update(node)  // conditional on resourceVersion: no lost taints
                if present { taintedNodes.insert(nodeName) } else { taintedNodes.remove(nodeName) }
                logger.info("\(present ? "tainted" : "untainted") node \(nodeName)")
                return
            } catch where error.kind == .conflict {
                continue
            }
        }
    }

    /// Every node still carrying this cluster's taint (also after an operator restart).
    func untaintAll() async throws(KubeError) {
        guard let taint else { return }
        let nodes = try await client.listAll(Node.self)
        for node in nodes.items where node.spec?.taints?.contains(where: { $0.key == taint.key }) == true {
            try await setTaint(node.name, present: false)
        }
    }

    // MARK: writing status

    /// Writes what changed of the operator-owned status fields (the controller's own field
    /// is written by the platform, write-ahead).
    func writeStatus(_ status: MySQLClusterStatus) async throws(KubeError) {
        var mine = status
        mine.controller = nil
        var before = lastStatus ?? lastCluster?.status ?? MySQLClusterStatus()
        before.controller = nil
        guard mine != before || lastStatus == nil else { return }
        let old = try json(before)
        let new = try json(mine)
        guard var change = MergePatchDiff.diff(from: old, to: new) else { lastStatus = mine; return }
        // Fields owned by others (initialized, controller) are never cleared from here.
        if case .object(var fields) = change {
            fields.removeValue(forKey: "controller")
            if case .null? = fields["initialized"] { fields.removeValue(forKey: "initialized") }
            change = .object(fields)
        }
        let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace,
                                                          patch: ["status": change], subresource: .status)
        lastStatus = mine
        var published = mine
        published.controller = await controller?.status
        observability.update(group: key, status: published)
    }

    func writeProgress(_ cluster: MySQLCluster, phase: String, message: String) async throws(KubeError) {
        var status = lastStatus ?? cluster.status ?? MySQLClusterStatus()
        status.phase = phase
        status.observedGeneration = cluster.metadata.generation
        status.conditions = Conditions.set(status.conditions, [
            Condition(type: "Available", status: "False", reason: "Provisioning", message: message),
            Condition(type: "Progressing", status: "True", reason: "Provisioning", message: message),
        ], generation: cluster.metadata.generation)
        try await writeStatus(status)
    }
}

/// metav1.Condition bookkeeping: a condition's transition time changes only when its status does.
enum Conditions {
    /// metav1.Time has second precision: a finer time would differ from its stored copy and
    /// turn every status round into a write.
    static var now: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func set(_ existing: [Condition]?, _ updates: [Condition], generation: Int64?) -> [Condition] {
        var out = existing ?? []
        for var update in updates {
            update.observedGeneration = generation
            if let i = out.firstIndex(where: { $0.type == update.type }) {
                update.lastTransitionTime = out[i].status == update.status ? out[i].lastTransitionTime : now
                out[i] = update
            } else {
                update.lastTransitionTime = now
                out.append(update)
            }
        }
        return out
    }
}
