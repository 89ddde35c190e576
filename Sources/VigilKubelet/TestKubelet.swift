import Foundation
import Logging
import NIOConcurrencyHelpers
import VigilKube
import VigilTestSupport

/// The controllers a real cluster runs besides the API server, for end-to-end tests against
/// `FakeKubeServer`: it registers `Node`s, runs a Deployment controller, a scheduler (with
/// NoExecute eviction), an Endpoints controller, and a kubelet that turns pods bound to its
/// nodes into real local processes (MariaDB and `vigil` images are emulated; see
/// `ContainerLaunch`, `MountTranslation`, `PodVolumes`).
///
///     let kubelet = try await TestKubelet.start(client: client, nodes: [.zone("node-a", "a"), .zone("node-b", "b")])
///     defer { await kubelet.stop() }   // or: try await withTestKubelet(...) { kubelet in ... }
///
/// Every process it starts is registered with the test fixture's watchdog, so none outlives
/// the test process even when it crashes; `stop()` kills and reaps them all.
public final class TestKubelet: Sendable {
    let context: KubeletContext
    let supervisor: PodSupervisor
    private let tasks: NIOLockedValueBox<[Task<Void, Never>]>
    private let stopped = NIOLockedValueBox(false)

    /// Where pod directories (`p/…`) and PVC contents (`pvc/<namespace>/<claim>`) live.
    public var workDirectory: String { context.workDirectory }
    /// Pod IPs are this prefix plus a host number.
    public var ipPrefix: String { context.options.ipPrefix }
    public var nodes: [KubeletNode] { context.nodes }

    private init(context: KubeletContext) {
        self.context = context
        supervisor = PodSupervisor(context: context)
        tasks = NIOLockedValueBox([])
    }

    /// Registers `nodes` and starts every controller; returns once their caches are filled.
    /// `client` stays the caller's (it is not shut down by `stop()`).
    public static func start(client: KubeClient, nodes: [KubeletNode], options: TestKubeletOptions = TestKubeletOptions(),
                             logger: Logger = Logger(label: "vigil.kubelet")) async throws -> TestKubelet {
        let work = try options.workDirectory ?? {
            let path = "\(try TestHost.temporaryRoot())/kubelet-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }()
        let context = KubeletContext(client: client, options: options, workDirectory: work, logger: logger, nodes: nodes)
        let kubelet = TestKubelet(context: context)
        try await kubelet.registerNodes()
        kubelet.startLoops()
        let deadline = ContinuousClock.now + .seconds(30)
        while !context.synced {
            guard ContinuousClock.now < deadline else {
                await kubelet.stop()
                throw TestKubeletError.notSynced
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return kubelet
    }

    private func startLoops() {
        let signals = (deployments: ChangeSignal(), scheduler: ChangeSignal(), endpoints: ChangeSignal())
        let podSignal = context.podSignal
        let fireAll: @Sendable () -> Void = {
            signals.deployments.fire()
            signals.scheduler.fire()
            signals.endpoints.fire()
            podSignal.fire()
        }
        let client = context.client
        let logger = context.logger
        var started = [
            context.pods.run(client: client, logger: logger, onChange: fireAll),
            context.deployments.run(client: client, logger: logger, onChange: fireAll),
            context.nodeObjects.run(client: client, logger: logger, onChange: fireAll),
            context.services.run(client: client, logger: logger, onChange: fireAll),
            context.endpoints.run(client: client, logger: logger, onChange: fireAll),
            context.configMaps.run(client: client, logger: logger, onChange: fireAll),
            context.secrets.run(client: client, logger: logger, onChange: fireAll),
            context.claims.run(client: client, logger: logger, onChange: fireAll),
        ]
        let context = self.context
        let supervisor = self.supervisor
        let deployments = DeploymentController(context: context, hasTerminatingPods: { [supervisor] uid in
            supervisor.hasTerminatingPods(ownedBy: uid)
        })
        let scheduler = Scheduler(context: context)
        let endpoints = EndpointsController(context: context)
        started.append(Self.loop(context, signals.deployments) { await deployments.reconcile() })
        started.append(Self.loop(context, signals.scheduler) { await scheduler.reconcile() })
        started.append(Self.loop(context, signals.endpoints) { await endpoints.reconcile() })
        started.append(Self.loop(context, podSignal) {
            supervisor.reconcile()
            // A pod's status or a terminated pod changes what the Deployment controller sees.
            signals.deployments.fire()
        })
        tasks.withLockedValue { $0 = started }
    }

    /// A level-triggered control loop: reconcile from the caches (once they are filled), then
    /// wait for a change or the resync interval.
    private static func loop(_ context: KubeletContext, _ signal: ChangeSignal,
                             _ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                if context.synced { await body() }
                await signal.wait(timeout: context.options.resyncInterval)
            }
        }
    }

    /// Stops every controller and kills every process this kubelet started (SIGKILL, no
    /// grace), waiting until they are reaped; removes the work directory (unless
    /// VIGIL_KEEP_TEST_DIRS=1). Idempotent. The Node and Pod objects stay in the API.
    public func stop() async {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        let running = tasks.withLockedValue { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in running { task.cancel() }
        context.podSignal.fire()
        await supervisor.stop()
        for task in running { await task.value }
        if ProcessInfo.processInfo.environment["VIGIL_KEEP_TEST_DIRS"] != "1", context.options.workDirectory == nil {
            try? FileManager.default.removeItem(atPath: context.workDirectory)
        }
    }

    // MARK: nodes

    private func registerNodes() async throws {
        for node in context.nodes {
            let object = Node(metadata: ObjectMeta(name: node.name, labels: node.labels),
                              spec: NodeSpec(taints: node.taints.isEmpty ? nil : node.taints))
            if var existing = try await context.client.getIfPresent(Node.self, name: node.name) {
                existing.metadata.labels = (existing.metadata.labels ?? [:]).merging(node.labels) { $1 }
                existing.spec = object.spec
                _ = try await context.client.update(existing)
            } else {
                _ = try await context.client.create(object)
            }
            try await setNodeReady(node.name, true)
        }
    }

    private func setNodeReady(_ name: String, _ ready: Bool) async throws {
        let condition: JSONValue = [
            "type": "Ready", "status": ready ? "True" : "Unknown",
            "reason": ready ? "KubeletReady" : "NodeStatusUnknown",
            "message": ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status.",
        ]
        _ = try await context.client.mergePatch(Node.self, name: name, patch: ["status": [
            "conditions": [condition],
            "addresses": [["type": "InternalIP", "address": .string(context.hostIP)], ["type": "Hostname", "address": .string(name)]],
        ]], subresource: .status)
    }

    /// A site failure: every process of the node's pods is SIGKILLed and not restarted, its
    /// pods report not ready, the Node's Ready condition becomes Unknown, and nothing new is
    /// scheduled there. Pod objects stay (as when a node vanishes); taints are the test's or
    /// the operator's business.
    public func failNode(_ name: String) async throws {
        context.failedNodes.withLockedValue { _ = $0.insert(name) }
        context.podSignal.fire()
        // Kill now rather than at each pod's next tick, so the caller can rely on it.
        for runtime in supervisor.runtimes where runtime.node == name {
            for index in runtime.state.withLockedValue({ $0.containers.indices }) {
                await runtime.tend(container: index, nodeFailed: true)
            }
        }
        try await setNodeReady(name, false)
    }

    /// Ends `failNode`: containers start again (their restartCount goes up), the node is Ready.
    public func recoverNode(_ name: String) async throws {
        context.failedNodes.withLockedValue { _ = $0.remove(name) }
        try await setNodeReady(name, true)
        context.podSignal.fire()
    }

    // MARK: test hooks

    /// The pid of a container's current process (nil while it is not running).
    public func pid(namespace: String = "default", pod: String, container: String) -> pid_t? {
        supervisor.runtime(namespace: namespace, name: pod)?.pid(container: container)
    }

    /// Sends `signal` to a container's process group (e.g. SIGKILL the primary's mariadbd).
    /// Returns false if it is not running.
    @discardableResult
    public func kill(namespace: String = "default", pod: String, container: String, signal: Int32) -> Bool {
        supervisor.runtime(namespace: namespace, name: pod)?.kill(container: container, signal: signal) ?? false
    }

    /// The pids of every process currently running for any pod (running or terminating).
    public var allPIDs: [pid_t] { supervisor.runtimes.flatMap(\.allPIDs) }

    /// A container's stdout/stderr (appended across restarts).
    public func logPath(namespace: String = "default", pod: String, container: String) -> String? {
        supervisor.runtime(namespace: namespace, name: pod)?.logPath(container: container)
    }

    /// The host directory behind a PersistentVolumeClaim.
    public func claimDirectory(namespace: String = "default", claim: String) -> String {
        "\(context.workDirectory)/pvc/\(namespace)/\(claim)"
    }
}

public enum TestKubeletError: Error, Sendable, CustomStringConvertible {
    case notSynced

    public var description: String {
        switch self {
        case .notSynced: "the test kubelet's caches did not fill within 30 s (is the API server up?)"
        }
    }
}

/// Starts a kubelet, runs `body`, and stops the kubelet on every path (return, throw).
@discardableResult
public func withTestKubelet<T: Sendable>(
    client: KubeClient, nodes: [KubeletNode], options: TestKubeletOptions = TestKubeletOptions(),
    isolation: isolated (any Actor)? = #isolation, _ body: (TestKubelet) async throws -> T
) async throws -> T {
    let kubelet = try await TestKubelet.start(client: client, nodes: nodes, options: options)
    do {
        let result = try await body(kubelet)
        await kubelet.stop()
        return result
    } catch {
        await kubelet.stop()
        throw error
    }
}
