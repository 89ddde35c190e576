import Foundation
import NIOConcurrencyHelpers
import VigilKube
import VigilTestSupport

/// One pod on one of our nodes, run as local processes: waits for its (sticky) IP and its
/// volumes' sources, materialises the volumes, starts every container, restarts containers
/// that exit (restartPolicy Always, with backoff), runs readiness probes, and reports the
/// pod's status. `terminate` stops it like a pod deletion (SIGTERM, grace, SIGKILL).
///
/// Concurrency: one loop task drives the pod; test hooks and `terminate` touch processes
/// only under `state`'s lock, where every process is also reaped, so a signal never reaches
/// a pid that was reaped (and could have been reused).
final class PodRuntime: Sendable {
    struct ContainerRun {
        var spec: Container
        var process: TrackedProcess?
        /// mariadb-install-db or `mariadbd --help` while the MariaDB entrypoint prepares.
        var helper: TrackedProcess?
        var everStarted = false
        var startedAt: Date?
        var restartCount = 0
        /// Consecutive quick exits, for the backoff.
        var crashes = 0
        var nextStart: ContinuousClock.Instant?
        var ready = false
        var probeFailures = 0
        var nextProbe: ContinuousClock.Instant?
        var waitingReason: String? = "ContainerCreating"
        var waitingMessage: String?
        var lastExit: ChildExitStatus?
    }

    struct State {
        var containers: [ContainerRun]
        var podIP: String?
        var failed: (reason: String, message: String)?
        var pending: String?
        var terminating = false
        /// `stop()` of the kubelet: skip the rest of a grace period.
        var killNow = false
        var startTime = Date()
        var lastWritten: PodStatus?
    }

    let uid: String
    let namespace: String
    let name: String
    let node: String
    let context: KubeletContext
    let podDirectory: String
    let initialPod: Pod
    let state: NIOLockedValueBox<State>
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(pod: Pod, node: String, context: KubeletContext) {
        uid = pod.metadata.uid ?? UUID().uuidString
        namespace = pod.metadata.namespace ?? "default"
        name = pod.name
        self.node = node
        self.context = context
        initialPod = pod
        // Short: unix socket paths under it must stay below 108 bytes.
        podDirectory = "\(context.workDirectory)/p/\(uid.replacingOccurrences(of: "-", with: "").prefix(10))"
        state = NIOLockedValueBox(State(containers: (pod.spec?.containers ?? []).map { ContainerRun(spec: $0) }))
    }

    /// The pod as the cache has it now (labels change; the spec does not).
    var pod: Pod {
        if let current = context.pods.get(namespace: namespace, name: name), current.metadata.uid == uid { return current }
        return initialPod
    }

    var identity: String { "\(namespace)/\(initialPod.spec?.hostname ?? name)" }

    func start() {
        let task = Task { await self.run() }
        loop.withLockedValue { $0 = task }
    }

    // MARK: the loop

    private func run() async {
        guard await prepare() else {
            // Failed for good (or terminated while preparing): keep reporting until deleted.
            while !Task.isCancelled {
                await writeStatus()
                try? await Task.sleep(for: context.options.resyncInterval)
            }
            return
        }
        var nextRefresh = ContinuousClock.now
        while !Task.isCancelled {
            let nodeFailed = context.isFailed(node)
            for index in state.withLockedValue({ $0.containers.indices }) {
                if Task.isCancelled { break }
                await tend(container: index, nodeFailed: nodeFailed)
            }
            await probe(nodeFailed: nodeFailed)
            if ContinuousClock.now >= nextRefresh {
                refreshProjectedVolumes()
                nextRefresh = .now + .seconds(1)
            }
            await writeStatus()
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// IP and volumes; false if the pod cannot run (status says why) or we were cancelled.
    private func prepare() async -> Bool {
        // Reject images we cannot emulate before taking any resources.
        for container in initialPod.spec?.containers ?? [] {
            do {
                _ = try ContainerLaunch.plan(image: container.image, command: container.command, args: container.args,
                                             vigilBinary: context.options.vigilBinary)
            } catch {
                state.withLockedValue { $0.failed = ("UnsupportedImage", "container \(container.name): \(error.message)") }
                return false
            }
        }
        while !Task.isCancelled {
            let grant = context.allocator.withLockedValue { $0.allocate(identity: identity, uid: uid) }
            switch grant {
            case .address(let ip):
                state.withLockedValue { $0.podIP = ip; $0.pending = nil }
            case .wait(let holder):
                state.withLockedValue { $0.pending = "waiting for terminating pod \(holder) to release this pod's IP" }
            case .exhausted:
                state.withLockedValue { $0.failed = ("OutOfAddresses", "no pod IP left under \(context.options.ipPrefix)") }
                return false
            }
            if state.withLockedValue({ $0.podIP != nil }) { break }
            await writeStatus()
            try? await Task.sleep(for: .milliseconds(100))
        }
        let volumes = PodVolumes(pod: initialPod, podDirectory: podDirectory, workDirectory: context.workDirectory)
        while !Task.isCancelled {
            do {
                try claimsReady()
                try volumes.createDirectories()
                try FileManager.default.createDirectory(atPath: "\(podDirectory)/logs", withIntermediateDirectories: true)
                try volumes.write(try projectedFiles(volumes))
                state.withLockedValue { $0.pending = nil }
                await markClaimsBound()
                return true
            } catch {
                state.withLockedValue { $0.pending = "FailedMount: \(error)" }
            }
            await writeStatus()
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    private func claimsReady() throws(PodVolumes.Missing) {
        for volume in initialPod.spec?.volumes ?? [] {
            guard let claim = volume.persistentVolumeClaim else { continue }
            if context.claims.get(namespace: namespace, name: claim.claimName) == nil {
                throw PodVolumes.Missing(message: "persistentvolumeclaim \"\(claim.claimName)\" not found")
            }
        }
    }

    /// There is no PV controller: a claim a pod uses is Bound (to the host directory).
    private func markClaimsBound() async {
        for volume in initialPod.spec?.volumes ?? [] {
            guard let name = volume.persistentVolumeClaim?.claimName,
                  let claim = context.claims.get(namespace: namespace, name: name), claim.status?.phase != "Bound"
            else { continue }
            var capacity: [String: JSONValue] = [:]
            for (key, value) in claim.spec?.resources?.requests ?? [:] { capacity[key] = .string(value) }
            let patch: JSONValue = ["status": ["phase": "Bound", "accessModes": .array((claim.spec?.accessModes ?? []).map { .string($0) }),
                                               "capacity": .object(capacity)]]
            _ = try? await context.client.mergePatch(PersistentVolumeClaim.self, name: name, namespace: namespace,
                                                     patch: patch, subresource: .status)
        }
    }

    func projectedFiles(_ volumes: PodVolumes) throws(PodVolumes.Missing) -> [String: [String: (Data, Int)]] {
        let translation = MountTranslation(volumes.podMounts(initialPod))
        return try volumes.projectedFiles(
            namespace: namespace, configMaps: { self.context.configMap(self.namespace, $0) },
            secrets: { self.context.secret(self.namespace, $0) }, translation: translation)
    }

    /// ConfigMap and Secret volumes follow their sources (the real kubelet does too, within
    /// about a minute), so an agent config updated with peers' addresses reaches the pod.
    private func refreshProjectedVolumes() {
        let volumes = PodVolumes(pod: initialPod, podDirectory: podDirectory, workDirectory: context.workDirectory)
        if let files = try? projectedFiles(volumes) { try? volumes.write(files) }
    }

    // MARK: termination

    /// Stops the pod: SIGTERM to every container's process group, SIGKILL after `grace`;
    /// reaps everything, removes the pod's directory (not its PVCs) and frees its IP.
    func terminate(grace: Duration) async {
        state.withLockedValue { $0.terminating = true }
        context.allocator.withLockedValue { $0.markTerminating(uid: uid) }
        let task = loop.withLockedValue { $0 }
        task?.cancel()
        await task?.value
        state.withLockedValue { state in
            for index in state.containers.indices {
                state.containers[index].helper?.killAndReap()
                state.containers[index].helper = nil
                guard let process = state.containers[index].process else { continue }
                process.signalGroup(SIGCONT)  // a stopped process cannot act on SIGTERM
                process.signalGroup(grace == .zero ? SIGKILL : SIGTERM)
            }
        }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            let alive = state.withLockedValue { state in
                !state.killNow && state.containers.contains { $0.process.map { $0.reapIfExited() == nil } ?? false }
            }
            if !alive { break }
            await uncancellableSleep(.milliseconds(20))
        }
        state.withLockedValue { state in
            for index in state.containers.indices {
                guard let process = state.containers[index].process else { continue }
                process.killAndReap()  // also catches anything left in its process group
                state.containers[index].process = nil
                state.containers[index].ready = false
            }
        }
        if ProcessInfo.processInfo.environment["VIGIL_KEEP_TEST_DIRS"] != "1" {
            try? FileManager.default.removeItem(atPath: podDirectory)
        }
        context.allocator.withLockedValue { $0.release(uid: uid) }
    }

    /// Cuts a running termination's grace period short.
    func killNow() {
        state.withLockedValue { $0.killNow = true }
    }

    // MARK: test hooks

    func pid(container: String) -> pid_t? {
        state.withLockedValue { state in
            guard let process = state.containers.first(where: { $0.spec.name == container })?.process,
                  process.reapIfExited() == nil else { return nil }
            return process.pid
        }
    }

    func kill(container: String, signal: Int32) -> Bool {
        state.withLockedValue { state in
            guard let process = state.containers.first(where: { $0.spec.name == container })?.process,
                  process.reapIfExited() == nil else { return false }
            return process.signalGroup(signal)
        }
    }

    var allPIDs: [pid_t] {
        state.withLockedValue { state in
            state.containers.compactMap { run in run.process.flatMap { $0.reapIfExited() == nil ? $0.pid : nil } }
        }
    }

    var podIP: String? { state.withLockedValue { $0.podIP } }

    func logPath(container: String) -> String { "\(podDirectory)/logs/\(container).log" }
}

/// Sleeps even when the current task is cancelled: cleanup must finish.
func uncancellableSleep(_ duration: Duration) async {
    await Task.detached { try? await Task.sleep(for: duration) }.value
}
