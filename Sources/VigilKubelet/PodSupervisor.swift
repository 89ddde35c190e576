import NIOConcurrencyHelpers
import VigilKube

/// The kubelet proper: one `PodRuntime` per pod bound to one of our nodes; a pod that is
/// deleted (gone, or given a deletionTimestamp) or moved is terminated with its grace period
/// (capped by `maxGracePeriod`).
final class PodSupervisor: Sendable {
    private struct State {
        var running: [String: PodRuntime] = [:]
        var terminating: [String: (runtime: PodRuntime, task: Task<Void, Never>)] = [:]
        /// Pods already stopped: a stale cache entry must not start them again.
        var finished: Set<String> = []
        var stopped = false
    }

    let context: KubeletContext
    private let state = NIOLockedValueBox(State())

    init(context: KubeletContext) { self.context = context }

    func reconcile() {
        let served = context.nodeNames
        let pods = context.pods.items
        let byUID = Dictionary(pods.compactMap { pod in pod.metadata.uid.map { ($0, pod) } }, uniquingKeysWith: { $1 })
        let started = state.withLockedValue { state -> [PodRuntime] in
            guard !state.stopped else { return [] }
            var started: [PodRuntime] = []
            for pod in pods {
                guard let uid = pod.metadata.uid, let node = pod.spec?.nodeName, served.contains(node),
                      pod.metadata.deletionTimestamp == nil, state.running[uid] == nil,
                      state.terminating[uid] == nil, !state.finished.contains(uid) else { continue }
                let runtime = PodRuntime(pod: pod, node: node, context: context)
                state.running[uid] = runtime
                started.append(runtime)
            }
            for (uid, runtime) in state.running {
                let pod = byUID[uid]
                guard pod == nil || pod?.metadata.deletionTimestamp != nil || pod?.spec?.nodeName != runtime.node
                else { continue }
                beginTermination(&state, runtime, grace: grace(pod ?? runtime.initialPod))
            }
            return started
        }
        for runtime in started {
            context.logger.info("starting pod \(runtime.namespace)/\(runtime.name) on \(runtime.node)")
            runtime.start()
        }
    }

    private func grace(_ pod: Pod) -> Duration {
        min(.seconds(max(pod.spec?.terminationGracePeriodSeconds ?? 30, 0)), context.options.maxGracePeriod)
    }

    private func beginTermination(_ state: inout State, _ runtime: PodRuntime, grace: Duration) {
        let uid = runtime.uid
        state.running[uid] = nil
        state.finished.insert(uid)
        context.logger.info("stopping pod \(runtime.namespace)/\(runtime.name)")
        // At once, not in the task: a replacement started by this same pass must wait for
        // the sticky IP instead of taking a fresh one from a holder that looks alive.
        context.allocator.withLockedValue { $0.markTerminating(uid: uid) }
        let task = Task {
            await runtime.terminate(grace: grace)
            _ = self.state.withLockedValue { $0.terminating.removeValue(forKey: uid) }
            self.context.podSignal.fire()
        }
        state.terminating[uid] = (runtime, task)
    }

    /// Whether a pod owned by `ownerUID` is still being stopped.
    func hasTerminatingPods(ownedBy ownerUID: String) -> Bool {
        state.withLockedValue { state in
            state.terminating.values.contains { entry in
                (entry.runtime.initialPod.metadata.ownerReferences ?? []).contains { $0.uid == ownerUID }
            }
        }
    }

    func runtime(namespace: String, name: String) -> PodRuntime? {
        state.withLockedValue { state in
            state.running.values.first { $0.namespace == namespace && $0.name == name }
        }
    }

    var runtimes: [PodRuntime] {
        state.withLockedValue { state in Array(state.running.values) + state.terminating.values.map(\.runtime) }
    }

    /// Kills every pod at once (SIGKILL) and waits until all processes are reaped.
    func stop() async {
        let tasks = state.withLockedValue { state -> [Task<Void, Never>] in
            state.stopped = true
            for runtime in Array(state.running.values) { beginTermination(&state, runtime, grace: .zero) }
            for entry in state.terminating.values { entry.runtime.killNow() }
            return state.terminating.values.map(\.task)
        }
        for task in tasks { await task.value }
    }
}
