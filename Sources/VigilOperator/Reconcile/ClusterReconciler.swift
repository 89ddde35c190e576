import Foundation
import Logging
import VigilAgent
import VigilControl
import VigilCore
import VigilEngine
import VigilKube

/// Keeps one MySQLCluster's world in line with its spec and its controller's decisions:
/// owned objects (server-side apply), the first-time bootstrap, the shared controller loop
/// (`GroupController`, with `KubePlatform`), pod role labels, node taints on a failed site,
/// status, Events and the finalizer. Every step is idempotent: `reconcile` runs on every
/// change of the resource and on a timer.
actor ClusterReconciler {
    let client: KubeClient
    let namespace: String
    let name: String
    let options: OperatorOptions
    let logger: Logger
    let clock = ControllerClock()

    var plan: ClusterPlan?
    var secrets: ClusterSecrets?
    var directory: KubeDirectory?
    var platform: KubePlatform?
    var controller: GroupController<KubeDirectory>?
    var controllerTask: Task<Void, Never>?
    var events: EventRecorder?
    var bootstrapping = false
    var lastStatus: MySQLClusterStatus?
    var lastCluster: MySQLCluster?
    var pods: [String: Pod] = [:]
    /// Consecutive status rounds in which every instance of a site was unreachable.
    var siteDownRounds: [String: Int] = [:]
    var taintedNodes: Set<String> = []
    var invalidReported: PlanProblems?
    var reconciling = false
    var bootstrapped = false
    /// The switchover request last served (one request id is served once).
    var servedSwitchover: String?
    var lastPass: ContinuousClock.Instant?
    var lastMetricsAt: ContinuousClock.Instant?
    /// The address the DNSEndpoint was last pointed at.
    var dnsTarget: String?
    var pending: MySQLCluster?

    let observability: OperatorObservability
    var key: String { "\(namespace)/\(name)" }

    init(client: KubeClient, namespace: String, name: String, options: OperatorOptions, observability: OperatorObservability,
         logger: Logger) {
        self.observability = observability
        self.client = client
        self.namespace = namespace
        self.name = name
        self.options = options
        var logger = logger
        logger[metadataKey: "group"] = "\(namespace)/\(name)"
        self.logger = logger
    }

    /// The agents' shared token (heartbeats are authenticated with it).
    var agentToken: String? { secrets?.agentToken }

    func stop() async {
        controllerTask?.cancel()
        await controller?.stop()
        controllerTask = nil
        controller = nil
    }

    // MARK: reconcile

    /// One reconcile at a time per cluster (as a work queue would): a call that arrives while
    /// one runs is folded into one more pass with the newest object.
    func reconcile(_ cluster: MySQLCluster) async {
        if reconciling {
            pending = cluster
            return
        }
        reconciling = true
        defer { reconciling = false }
        var next: MySQLCluster? = cluster
        while let current = next {
            pending = nil
            let start = ContinuousClock.now
            await reconcileOnce(current)
            observability.metrics.reconcile(group: key, duration: .now - start, sincePrevious: lastPass.map { start - $0 })
            lastPass = start
            next = pending
        }
    }

    func reconcileOnce(_ cluster: MySQLCluster) async {
        lastCluster = cluster
        let recorder = EventRecorder(client: client, namespace: namespace, name: name, uid: cluster.metadata.uid, logger: logger)
        events = recorder
        do {
            if cluster.metadata.deletionTimestamp != nil {
                try await finalize(cluster)
                return
            }
            guard try await ensureFinalizer(cluster) else { return }
            let plan: ClusterPlan
            switch ClusterPlan.resolve(cluster: name, namespace: namespace, spec: cluster.spec) {
            case .success(let resolved):
                plan = resolved
                invalidReported = nil
            case .failure(let problems):
                try await reportInvalid(cluster, problems)
                return
            }
            if let current = self.plan, current.group != plan.group || current.instances != plan.instances {
                logger.info("spec changed; restarting the controller loop with the new plan")
                await stop()
                directory = nil
            }
            self.plan = plan
            let secrets = try await loadOrCreateSecrets(cluster)
            self.secrets = secrets
            let owner = OwnerReference(controller: cluster)
            let objects = DesiredObjects(plan: plan, secrets: secrets, owner: owner, options: options)
            let directory = self.directory ?? KubeDirectory(plan: plan, addressing: options.addressing)
            self.directory = directory
            try await applyOwned(objects, directory: directory)
            try await refreshPods(directory: directory)
            // `bootstrapped` also covers a cluster object read before the bootstrap's own write.
            if controller == nil {
                if cluster.status?.initialized == true || bootstrapped {
                    let restoring = cluster.status?.controller
                    if restoring == nil { logger.warning("status.controller unreadable; resuming from status.primary") }
                    startController(restoring, fallbackPrimary: cluster.status?.primary, plan: plan, objects: objects, directory: directory)
                } else {
                    try await bootstrapIfReady(cluster, plan: plan, objects: objects, directory: directory)
                }
            }
            try await serveSwitchover(cluster)
            try await refreshStatus()
        } catch {
            logger.warning("reconcile failed (retried): \(error)")
            observability.metrics.reconcileError(group: key)
            await recorder.record("ReconcileFailed", "\(error)", warning: true)
        }
    }

    /// Adds the finalizer first: nothing is created that the finalizer would not clean up.
    /// Returns false when the write raced (the next event reconciles again).
    func ensureFinalizer(_ cluster: MySQLCluster) async throws(KubeError) -> Bool {
        let finalizers = cluster.metadata.finalizers ?? []
        guard !finalizers.contains(KubeNames.finalizer) else { return true }
        let patch: JSONValue = ["metadata": ["finalizers": .array((finalizers + [KubeNames.finalizer]).map(JSONValue.string)),
                                             "resourceVersion": .string(cluster.metadata.resourceVersion ?? "")]]
        do {
            lastCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace, patch: patch)
            return true
        } catch where error.kind == .conflict {
            return false
        }
    }

    /// Deletion: stop deciding, lift taints (nodes are cluster-scoped: ownerReferences cannot
    /// clean them), then let garbage collection take the owned objects.
    func finalize(_ cluster: MySQLCluster) async throws(KubeError) {
        await stop()
        try await untaintAll()
        let finalizers = (cluster.metadata.finalizers ?? []).filter { $0 != KubeNames.finalizer }
        guard finalizers.count != cluster.metadata.finalizers?.count else { return }
        let patch: JSONValue = ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                             "resourceVersion": .string(cluster.metadata.resourceVersion ?? "")]]
        do {
            let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace, patch: patch)
            logger.info("finalized")
        } catch where error.isNotFound || error.kind == .conflict {
            return
        }
    }

    /// An invalid spec changes nothing: it is reported in conditions and an Event, once.
    func reportInvalid(_ cluster: MySQLCluster, _ problems: PlanProblems) async throws(KubeError) {
        let message = problems.problems.joined(separator: "; ")
        var status = lastStatus ?? cluster.status ?? MySQLClusterStatus()
        status.phase = "Invalid"
        status.observedGeneration = cluster.metadata.generation
        status.conditions = Conditions.set(status.conditions, [
            Condition(type: "Available", status: status.primary == nil ? "False" : "Unknown", reason: "InvalidSpec", message: message),
            Condition(type: "Progressing", status: "False", reason: "InvalidSpec", message: message),
            Condition(type: "Degraded", status: "True", reason: "InvalidSpec", message: message),
        ], generation: cluster.metadata.generation)
        try await writeStatus(status)
        if invalidReported != problems {
            invalidReported = problems
            logger.warning("invalid spec: \(message)")
            await events?.record("InvalidSpec", message, warning: true)
        }
    }

    // MARK: owned objects

    func loadOrCreateSecrets(_ cluster: MySQLCluster) async throws(KubeError) -> ClusterSecrets {
        if let secrets { return secrets }
        var loaded = ClusterSecrets.generate()
        let owner = OwnerReference(controller: cluster)
        for account in ClusterSecrets.accounts {
            let secretName = KubeNames.accountSecret(name, account)
            if let existing = try await client.getIfPresent(Secret.self, name: secretName, namespace: namespace),
               let password = ClusterSecrets.password(in: existing) {
                loaded.passwords[account] = password
                continue
            }
            let secret = Secret(metadata: ObjectMeta(name: secretName, namespace: namespace, labels: ClusterLabels.owned(name),
                                                     ownerReferences: [owner]),
                                type: "Opaque", data: ["username": Data(account.utf8), "password": Data(loaded.password(account).utf8)])
            do {
                _ = try await client.create(secret)
            } catch where error.kind == .alreadyExists {
                throw error  // a concurrent writer: read it back on the next pass
            }
        }
        if let agent = try await client.getIfPresent(Secret.self, name: KubeNames.agentSecret(name), namespace: namespace),
           let token = agent.data?[PodLayout.tokenKey].flatMap({ String(data: $0, encoding: .utf8) }), !token.isEmpty {
            loaded.agentToken = token
        }
        return loaded
    }

    func applyOwned(_ objects: DesiredObjects, directory: KubeDirectory) async throws {
        _ = try await client.apply(try objects.configMap(), force: true)
        _ = try await client.apply(try objects.agentSecret(addresses: directory.knownIPs), force: true)
        for service in objects.services() { _ = try await client.apply(service, force: true) }
        _ = try await client.apply(objects.disruptionBudget(), force: true)
        for claim in objects.claims() where try await client.getIfPresent(PersistentVolumeClaim.self, name: claim.name, namespace: namespace) == nil {
            // A claim's spec is immutable once bound: create, never re-apply.
            _ = try await client.create(claim)
        }
        for deployment in try objects.deployments() { _ = try await client.apply(deployment, force: true) }
    }

    func refreshPods(directory: KubeDirectory) async throws(KubeError) {
        let list = try await client.listAll(Pod.self, namespace: namespace, labelSelector: "\(ClusterLabels.cluster)=\(name)")
        var byInstance: [String: Pod] = [:]
        for pod in list.items where pod.metadata.deletionTimestamp == nil {
            guard let instance = pod.metadata.labels?[ClusterLabels.instance] else { continue }
            // Of two pods (a rollout), the running one with an IP counts.
            if let other = byInstance[instance], other.status?.podIP != nil, pod.status?.podIP == nil { continue }
            byInstance[instance] = pod
        }
        pods = byInstance
        var ips: [String: String] = [:]
        var names: [String: String] = [:]
        for (instance, pod) in byInstance {
            names[instance] = pod.name
            if pod.status?.phase == "Running", let ip = pod.status?.podIP { ips[instance] = ip }
        }
        directory.update(podIPs: ips)
        platform?.update(pods: names)
    }

    // MARK: bootstrap and the controller loop

    func bootstrapIfReady(_ cluster: MySQLCluster, plan: ClusterPlan, objects: DesiredObjects, directory: KubeDirectory) async throws {
        guard !bootstrapping else { return }
        let waiting = plan.instances.map(\.name).filter { directory.mysqlEndpoint($0) == nil || directory.knownIPs[$0] == nil }
        guard waiting.isEmpty else {
            try await writeProgress(cluster, phase: "Provisioning", message: "waiting for pods: \(waiting.joined(separator: ", "))")
            return
        }
        bootstrapping = true
        defer { bootstrapping = false }
        guard let primary = Self.initialPrimary(plan) else { return }
        let actions = makeActions(plan: plan, directory: directory)
        let bootstrap = GroupBootstrap(actions: actions, accounts: secrets!.accountRequest)
        do {
            try await bootstrap.run(primary: primary, members: plan.instances.map(\.name))
        } catch {
            try await writeProgress(cluster, phase: "Provisioning", message: "bootstrapping: \(error)")
            return
        }
        var status = GroupStatus(primary: primary)
        status.term = 1
        let patch: JSONValue = ["status": ["initialized": true, "primary": .string(primary), "controller": try KubeCodec.json(status)]]
        let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace, patch: patch,
                                                          subresource: .status)
        bootstrapped = true
        logger.info("bootstrapped with primary \(primary)")
        await events?.record("Bootstrapped", "replication wired; \(primary) is the primary")
        startController(status, fallbackPrimary: primary, plan: plan, objects: objects, directory: directory)
    }

    /// The first instance of the most preferred primary-candidate site.
    static func initialPrimary(_ plan: ClusterPlan) -> String? {
        plan.instances.filter { $0.siteRole == .primaryCandidate }
            .min { ($0.sitePriority, $0.serverID) < ($1.sitePriority, $1.serverID) }?.name
    }

    func makeActions(plan: ClusterPlan, directory: KubeDirectory) -> InstanceActions<KubeDirectory> {
        let secrets = self.secrets!
        return InstanceActions(
            directory: directory,
            settings: ActionSettings(
                adminUser: SystemAccount.admin.user, adminPassword: secrets.password(SystemAccount.admin.user),
                agentToken: secrets.agentToken,
                replication: ReplicationCredentials(user: SystemAccount.replication.user,
                                                    password: secrets.password(SystemAccount.replication.user)),
                semiSync: plan.replication == .semiSync, groupSize: plan.instances.count, programName: "vigil-operator"),
            clock: clock, logger: logger)
    }

    func startController(_ restoring: GroupStatus?, fallbackPrimary: String?, plan: ClusterPlan, objects: DesiredObjects,
                         directory: KubeDirectory) {
        guard controller == nil, let events else { return }
        var config = plan.group
        if options.addressing == .podIP {
            // Replicas name their source by pod IP here: the core matches sources by host.
            config.members = config.members.map { member in
                var member = member
                member.host = directory.knownIPs[member.name] ?? member.host
                return member
            }
        }
        let platform = KubePlatform(client: client, plan: plan, directory: directory, objects: objects, events: events,
                                    token: secrets!.agentToken, observability: observability, group: key,
                                    logger: logger)
        platform.update(pods: pods.mapValues(\.name))
        self.platform = platform
        let controller = GroupController(config: config, restoring: restoring, initialPrimary: restoring?.primary ?? fallbackPrimary,
                                         actions: makeActions(plan: plan, directory: directory), platform: platform, logger: logger)
        self.controller = controller
        let metrics = observability.metrics
        let group = key
        controllerTask = Task {
            await controller.observeProbes { instance, duration, ok in
                metrics.probe(group: group, instance: instance, duration: duration, ok: ok)
            }
            await controller.run()
        }
        logger.info("controller loop started (term \(restoring?.term ?? 0), primary \(restoring?.primary ?? "-"))")
    }

    func heartbeat(_ report: AgentReport) async -> ControllerWord? {
        await controller?.heartbeat(report)
    }

    // MARK: switchover

    /// `spec.switchover` (or the annotation) asks once per request id; progress in status.
    func serveSwitchover(_ cluster: MySQLCluster) async throws(KubeError) {
        let annotated = cluster.metadata.annotations?[MySQLCluster.switchoverAnnotation]
        guard let request = cluster.spec.switchover ?? annotated.map({ MySQLClusterSpec.SwitchoverRequest(to: $0, requestID: $0) }),
              let controller else { return }
        let id = request.requestID ?? request.to
        // The local record also covers a cluster object read before our own status write.
        if servedSwitchover == id { return }
        if let served = cluster.status?.switchover, served.requestID == id { return }
        servedSwitchover = id
        let target = request.to == "any" ? nil : request.to
        let decision = await controller.requestSwitchover(to: target)
        let refused = decision.trail.contains { $0.code == .switchoverRefused }
        let state = refused ? "Refused" : "Running"
        let progress = MySQLClusterStatus.SwitchoverStatus(requestID: id, to: request.to, state: state, message: decision.reason.description)
        let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: name, namespace: namespace,
                                                          patch: ["status": ["switchover": try json(progress)]], subresource: .status)
        lastStatus?.switchover = progress
        await events?.record(refused ? "SwitchoverRefused" : "SwitchoverStarted", "to \(request.to): \(decision.reason)", warning: refused)
    }

    func json<T: Encodable>(_ value: T) throws(KubeError) -> JSONValue {
        do { return try KubeCodec.json(value) } catch { throw KubeError(kind: .request, message: "cannot encode: \(error)") }
    }
}
