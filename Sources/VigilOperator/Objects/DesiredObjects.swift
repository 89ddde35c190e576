import Crypto
import Foundation
import VigilAgent
import VigilCore
import VigilEngine
import VigilKube

/// Everything a MySQLCluster owns, built from its plan (pure: no API calls). The reconciler
/// applies these with server-side apply; role labels on pods are set separately from the
/// controller's decisions, never here.
public struct DesiredObjects: Sendable {
    public let plan: ClusterPlan
    public let secrets: ClusterSecrets
    public let owner: OwnerReference
    public let options: OperatorOptions

    public init(plan: ClusterPlan, secrets: ClusterSecrets, owner: OwnerReference, options: OperatorOptions) {
        self.plan = plan
        self.secrets = secrets
        self.owner = owner
        self.options = options
    }

    var cluster: String { plan.cluster }

    func meta(_ name: String, labels: [String: String]? = nil) -> ObjectMeta {
        ObjectMeta(name: name, namespace: plan.namespace, labels: labels ?? ClusterLabels.owned(cluster), ownerReferences: [owner])
    }

    // MARK: configuration

    /// One option file per instance, keyed `{instance}.cnf`.
    public func configMap() throws -> ConfigMap {
        var data: [String: String] = [:]
        for instance in plan.instances { data["\(instance.name).cnf"] = try serverConfig(instance) }
        return ConfigMap(metadata: meta(KubeNames.configMap(cluster)), data: data)
    }

    public func serverConfig(_ instance: ClusterPlan.Instance) throws -> String {
        let host = KubeNames.instanceHost(instance: instance.name, cluster: cluster, namespace: plan.namespace)
        let config = ServerConfig(
            instanceName: instance.name, flavor: plan.flavor, serverID: instance.serverID, port: PodLayout.mysqlPort,
            socket: "\(PodLayout.runPath)/mysqld.sock", dataDirectory: PodLayout.dataPath, bindAddress: "0.0.0.0",
            reportHost: host, reportPort: PodLayout.mysqlPort, semiSync: plan.replication == .semiSync ? .lossless : .async,
            pidFile: PodLayout.pidFile,
            extra: [ServerOption("skip_name_resolve", "ON"), ServerOption("max_connect_errors", "1000000"),
                    ServerOption("init_file", "\(PodLayout.secretPath)/\(PodLayout.initSQLKey)")])
        return try ServerConfigRenderer.render(config)
    }

    /// Changes whenever an instance's option file does, so its pod restarts with it.
    public func configHash(_ instance: ClusterPlan.Instance) throws -> String {
        let digest = SHA256.hash(data: Data(try serverConfig(instance).utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: secrets

    public func accountSecrets() -> [Secret] {
        ClusterSecrets.accounts.map { account in
            Secret(metadata: meta(KubeNames.accountSecret(cluster, account)), type: "Opaque",
                   data: ["username": Data(account.utf8), "password": Data(secrets.password(account).utf8)])
        }
    }

    /// The agents' configurations, the first-boot SQL and the token: mounted read-only
    /// (mode 0400) at `/etc/vigil/secret`.
    public func agentSecret(addresses: [String: String] = [:]) throws -> Secret {
        var data: [String: Data] = [
            PodLayout.tokenKey: Data(secrets.agentToken.utf8),
            PodLayout.initSQLKey: Data(FirstBootSQL.render(
                adminPassword: secrets.password(SystemAccount.admin.user), appPassword: secrets.password("app"),
                rootPassword: secrets.password("root"), hosts: ["localhost", "127.0.0.1", "%"]).utf8),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for instance in plan.instances {
            data[PodLayout.agentConfigKey(instance.name)] = try encoder.encode(agentConfig(instance, addresses: addresses))
        }
        return Secret(metadata: meta(KubeNames.agentSecret(cluster)), type: "Opaque", data: data)
    }

    /// Peers are named through the headless Service; with pod-IP addressing only the peers
    /// whose address is known are listed (the agent then leans on the controller alone).
    public func agentConfig(_ instance: ClusterPlan.Instance, addresses: [String: String]) -> AgentConfig {
        let peers: [AgentConfig.Peer] = plan.instances.filter { $0.name != instance.name }.compactMap { peer in
            guard let host = address(peer.name, known: addresses) else { return nil }
            return AgentConfig.Peer(name: peer.name, sidecar: "http://\(host):\(PodLayout.sidecarPort)")
        }
        return AgentConfig(
            instance: instance.name, flavor: plan.flavor,
            mysql: .init(host: "127.0.0.1", port: PodLayout.mysqlPort, user: SystemAccount.admin.user,
                         password: secrets.password(SystemAccount.admin.user)),
            pidFile: PodLayout.pidFile, controller: options.controllerURL(namespace: plan.namespace, cluster: cluster),
            peers: peers,
            listen: .init(host: "0.0.0.0", roleProbePort: PodLayout.roleProbePort, sidecarPort: PodLayout.sidecarPort,
                          metricsPort: PodLayout.metricsPort),
            token: secrets.agentToken, lease: plan.group.lease)
    }

    func address(_ name: String, known: [String: String]) -> String? {
        switch options.addressing {
        case .dns: KubeNames.instanceHost(instance: name, cluster: cluster, namespace: plan.namespace)
        case .podIP: known[name]
        }
    }

    // MARK: services

    public func services() -> [Service] {
        let port = ServicePort(name: "mysql", port: PodLayout.mysqlPort, targetPort: .int(PodLayout.mysqlPort), protocol: "TCP")
        let base = [ClusterLabels.cluster: cluster]
        return [
            Service(metadata: meta(KubeNames.primaryService(cluster)),
                    spec: ServiceSpec(selector: base.merging([ClusterLabels.role: "primary"]) { $1 }, ports: [port], type: "ClusterIP")),
            Service(metadata: meta(KubeNames.replicasService(cluster)),
                    spec: ServiceSpec(selector: base.merging([ClusterLabels.role: "replica", ClusterLabels.healthy: "yes"]) { $1 },
                                      ports: [port], type: "ClusterIP")),
            Service(metadata: meta(KubeNames.headlessService(cluster)),
                    spec: ServiceSpec(selector: base, ports: [port], clusterIP: "None", publishNotReadyAddresses: true)),
        ]
    }

    public func disruptionBudget() -> PodDisruptionBudget {
        PodDisruptionBudget(metadata: meta(KubeNames.pdb(cluster)),
                            spec: PDBSpec(maxUnavailable: .int(1), selector: LabelSelector(matchLabels: [ClusterLabels.cluster: cluster])))
    }

    /// The A record that follows the primary; written only after the primary is confirmed writable.
    public func dnsEndpoint(primaryAddress: String) -> DNSEndpoint? {
        guard let hostname = plan.dnsHostname else { return nil }
        return DNSEndpoint(metadata: meta(KubeNames.dnsEndpoint(cluster)), spec: DNSEndpointSpec(endpoints: [
            DNSRecord(dnsName: hostname, recordType: "A", recordTTL: Int64(plan.dnsTTL), targets: [primaryAddress]),
        ]))
    }

    // MARK: instances

    public func claims() -> [PersistentVolumeClaim] {
        plan.instances.map { instance in
            PersistentVolumeClaim(
                metadata: meta(KubeNames.pvc(instance.name), labels: ClusterLabels.instance(instance, cluster: cluster)),
                spec: PVCSpec(accessModes: ["ReadWriteOnce"], resources: ResourceRequirements(requests: ["storage": instance.storageSize]),
                              storageClassName: instance.storageClassName))
        }
    }

    public func deployments() throws -> [Deployment] {
        try plan.instances.map(deployment)
    }

    public func deployment(_ instance: ClusterPlan.Instance) throws -> Deployment {
        let labels = ClusterLabels.instance(instance, cluster: cluster)
        let selector = [ClusterLabels.cluster: cluster, ClusterLabels.instance: instance.name]
        let podIP = EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP")))
        let mysql = Container(
            name: "mysql", image: plan.image,
            args: ["--defaults-file=\(PodLayout.configFile(instance.name))", "--bind-address=$(POD_IP)"],
            env: [podIP, EnvVar(name: "MARIADB_ROOT_PASSWORD", valueFrom: EnvVarSource(
                secretKeyRef: KeySelector(name: KubeNames.accountSecret(cluster, "root"), key: "password")))],
            ports: [ContainerPort(containerPort: PodLayout.mysqlPort, name: "mysql", protocol: "TCP")],
            resources: ResourceRequirements(requests: plan.resources.requests, limits: plan.resources.limits),
            volumeMounts: [VolumeMount(name: "data", mountPath: PodLayout.dataPath),
                           VolumeMount(name: "run", mountPath: PodLayout.runPath),
                           VolumeMount(name: "config", mountPath: PodLayout.configPath, readOnly: true),
                           VolumeMount(name: "secret", mountPath: PodLayout.secretPath, readOnly: true)],
            readinessProbe: Probe(tcpSocket: TCPSocketAction(port: .int(PodLayout.mysqlPort)), periodSeconds: 2))
        let agent = Container(
            name: "agent", image: options.agentImage,
            command: ["vigil", "agent", "--config", "\(PodLayout.secretPath)/\(PodLayout.agentConfigKey(instance.name))",
                      "--listen-host", "$(POD_IP)", "--mysql-host", "$(POD_IP)"],
            env: [podIP],
            ports: [ContainerPort(containerPort: PodLayout.roleProbePort, name: "role", protocol: "TCP"),
                    ContainerPort(containerPort: PodLayout.sidecarPort, name: "sidecar", protocol: "TCP"),
                    ContainerPort(containerPort: PodLayout.metricsPort, name: "metrics", protocol: "TCP")],
            volumeMounts: [VolumeMount(name: "run", mountPath: PodLayout.runPath),
                           VolumeMount(name: "secret", mountPath: PodLayout.secretPath, readOnly: true)],
            readinessProbe: Probe(httpGet: HTTPGetAction(path: AgentAPI.healthPath, port: .int(PodLayout.sidecarPort)), periodSeconds: 2))
        // Instances tolerate their own site-failure taint: it is for other workloads, and a
        // recovering instance must be able to come back to its node.
        let tolerations = instance.tolerations.map {
            Toleration(key: $0.key, operator: $0.operator, value: $0.value, effect: $0.effect, tolerationSeconds: $0.tolerationSeconds.map(Int64.init))
        } + [Toleration(key: plan.taintKey, operator: "Exists", effect: "NoExecute")]
        let pod = PodSpec(
            containers: [mysql, agent],
            volumes: [Volume(name: "data", persistentVolumeClaim: PVCVolumeSource(claimName: KubeNames.pvc(instance.name))),
                      Volume(name: "run", emptyDir: EmptyDirVolumeSource()),
                      Volume(name: "config", configMap: ConfigMapVolumeSource(name: KubeNames.configMap(cluster))),
                      Volume(name: "secret", secret: SecretVolumeSource(secretName: KubeNames.agentSecret(cluster), defaultMode: 0o400))],
            nodeSelector: instance.nodeSelector.isEmpty ? nil : instance.nodeSelector,
            tolerations: tolerations,
            terminationGracePeriodSeconds: 60, hostname: instance.name, subdomain: KubeNames.headlessService(cluster),
            // The agent's self-fencing escalates to killing mysqld (pid file on the shared
            // /run/mysqld volume): it must see that process.
            shareProcessNamespace: true)
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: labels, annotations: ["vigil.dev/config-hash": try configHash(instance)]), spec: pod)
        return Deployment(
            metadata: meta(instance.name, labels: labels),
            spec: DeploymentSpec(replicas: 1, selector: LabelSelector(matchLabels: selector), template: template,
                                 strategy: DeploymentStrategy(type: "Recreate")))
    }
}
