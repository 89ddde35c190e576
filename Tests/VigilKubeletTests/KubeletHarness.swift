import Foundation
import Logging
import Testing
import VigilKube
import VigilKubeFake
import VigilKubelet
import VigilTestSupport

/// A fake API server, a client and a test kubelet with two zoned nodes; torn down on every path.
struct KubeletHarness: Sendable {
    let server: FakeKubeServer
    let client: KubeClient
    let kubelet: TestKubelet

    static func with<T: Sendable>(isolation: isolated (any Actor)? = #isolation,
                                  _ body: (KubeletHarness) async throws -> T) async throws -> T {
        let server = try await FakeKubeServer.start()
        let client = try KubeClient(config: server.config(), retry: .default)
        do {
            let kubelet = try await TestKubelet.start(
                client: client, nodes: [.zone("node-a", "zone-a"), .zone("node-b", "zone-b")],
                options: TestKubeletOptions(maxGracePeriod: .seconds(3)))
            let harness = KubeletHarness(server: server, client: client, kubelet: kubelet)
            do {
                let result = try await body(harness)
                await harness.tearDown()
                return result
            } catch {
                await harness.tearDown()
                throw error
            }
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
    }

    func tearDown() async {
        let pids = kubelet.allPIDs
        await kubelet.stop()
        // No process of ours may survive stop(), whatever happened in the test.
        for pid in pids { #expect(!processExists(pid), "pid \(pid) survived stop()") }
        try? await client.shutdown()
        await server.stop()
    }

    /// The pod a Deployment currently owns (not being deleted).
    func pod(of deployment: String, namespace: String = "default") async throws -> Pod? {
        let pods = try await client.list(Pod.self, namespace: namespace).items
        return pods.first { pod in
            pod.metadata.deletionTimestamp == nil
                && (pod.metadata.ownerReferences ?? []).contains { $0.kind == "Deployment" && $0.name == deployment }
        }
    }

    /// Polls until the Deployment's pod is Running with every container ready.
    func readyPod(of deployment: String, timeout: Duration = .seconds(90)) async throws -> Pod {
        try await eventually("a ready pod of \(deployment)", timeout: timeout) {
            guard let pod = try await pod(of: deployment), pod.status?.phase == "Running",
                  let statuses = pod.status?.containerStatuses, !statuses.isEmpty, statuses.allSatisfy(\.ready)
            else { return nil }
            return pod
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var last: String
    var description: String { "timed out waiting for \(what); last seen: \(last)" }
}

/// Polls `probe` until it returns a value or `timeout` passes (a deadline, not a sleep).
@discardableResult
func eventually<T>(_ what: String, timeout: Duration = .seconds(60), isolation: isolated (any Actor)? = #isolation,
                   _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = "nothing"
    while true {
        do {
            if let value = try await probe() { return value }
        } catch {
            last = "\(error)"
        }
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what, last: last) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

func processExists(_ pid: pid_t) -> Bool {
    // A zombie is gone for our purposes; /proc tells them apart.
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
    return !status.contains("State:\tZ")
}

/// Objects for hand-written pods like the operator's.
enum Fixtures {
    static let token = "test-token"

    /// The agent's configuration, with paths as the container sees them (`/run/mysqld`).
    static func agentConfig(instance: String, adminPassword: String = "admin-pw") -> String {
        """
        {"instance":"\(instance)","flavor":"mariadb",\
        "mysql":{"host":"127.0.0.1","port":3306,"user":"vigil_admin","password":"\(adminPassword)"},\
        "pidFile":"/run/mysqld/mysqld.pid","controller":"http://127.0.0.1:9","token":"\(token)",\
        "listen":{"host":"0.0.0.0","roleProbePort":5001,"sidecarPort":8080,"metricsPort":9187}}
        """
    }

    static func agentContainer(instance: String) -> Container {
        Container(
            name: "agent", image: "ghcr.io/vigil-dev/vigil:test",
            command: ["vigil", "agent", "--config", "/etc/vigil/secret/agent-\(instance).json",
                      "--listen-host", "$(POD_IP)", "--mysql-host", "$(POD_IP)"],
            env: [EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP")))],
            ports: [ContainerPort(containerPort: 8080, name: "sidecar")],
            volumeMounts: [VolumeMount(name: "run", mountPath: "/run/mysqld"),
                           VolumeMount(name: "secret", mountPath: "/etc/vigil/secret", readOnly: true)],
            readinessProbe: Probe(httpGet: HTTPGetAction(path: "/health", port: .int(8080)), periodSeconds: 2))
    }

    static func secret(_ name: String, instances: [String], extra: [String: String] = [:]) -> Secret {
        var data: [String: Data] = [:]
        for instance in instances { data["agent-\(instance).json"] = Data(agentConfig(instance: instance).utf8) }
        for (key, value) in extra { data[key] = Data(value.utf8) }
        return Secret(metadata: ObjectMeta(name: name, namespace: "default"), type: "Opaque", data: data)
    }

    static let instanceLabel = "vigil.dev/instance"

    /// A Deployment shaped like the operator's (replicas 1, Recreate, hostname), with `containers`.
    static func deployment(_ instance: String, containers: [Container], volumes: [Volume],
                           nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil) -> Deployment {
        let labels = ["app": "kubelet-test", instanceLabel: instance]
        return Deployment(
            metadata: ObjectMeta(name: instance, namespace: "default", labels: labels),
            spec: DeploymentSpec(
                replicas: 1, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: labels),
                    spec: PodSpec(containers: containers, volumes: volumes, nodeSelector: nodeSelector,
                                  tolerations: tolerations, terminationGracePeriodSeconds: 60,
                                  hostname: instance, subdomain: "kubelet-test")),
                strategy: DeploymentStrategy(type: "Recreate")))
    }

    /// An agent-only pod: cheap (no database), still a real `vigil` process with a real
    /// readiness probe.
    static func agentDeployment(_ instance: String, secret: String = "agents", nodeSelector: [String: String]? = nil,
                                tolerations: [Toleration]? = nil) -> Deployment {
        deployment(instance, containers: [agentContainer(instance: instance)],
                   volumes: [Volume(name: "run", emptyDir: EmptyDirVolumeSource()),
                             Volume(name: "secret", secret: SecretVolumeSource(secretName: secret, defaultMode: 0o400))],
                   nodeSelector: nodeSelector, tolerations: tolerations)
    }
}
