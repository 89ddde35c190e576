import Foundation
import VigilKube

extension PodRuntime {
    /// The status the real kubelet would report now. On a failed node it reports what the
    /// node lifecycle controller would: nothing ready.
    func currentStatus() -> PodStatus {
        let nodeFailed = context.isFailed(node)
        return state.withLockedValue { state in
            if let failed = state.failed {
                return PodStatus(phase: "Failed", podIP: state.podIP, hostIP: context.hostIP,
                                 conditions: [PodCondition(type: "PodScheduled", status: "True"),
                                              PodCondition(type: "Ready", status: "False", reason: failed.reason)],
                                 startTime: state.startTime, reason: failed.reason, message: failed.message)
            }
            let statuses = state.containers.map { run in
                let ready = run.ready && !nodeFailed
                let containerState: JSONValue
                if run.process != nil, let startedAt = run.startedAt {
                    containerState = ["running": ["startedAt": .string(RFC3339.format(startedAt))]]
                } else {
                    var waiting: [String: JSONValue] = ["reason": .string(run.waitingReason ?? "ContainerCreating")]
                    if let message = run.waitingMessage { waiting["message"] = .string(message) }
                    containerState = ["waiting": .object(waiting)]
                }
                return ContainerStatus(name: run.spec.name, ready: ready, restartCount: run.restartCount,
                                       image: run.spec.image, containerID: run.process.map { "vigil-kubelet://\($0.pid)" },
                                       started: run.process != nil, state: containerState)
            }
            let allReady = !statuses.isEmpty && statuses.allSatisfy(\.ready)
            let running = state.podIP != nil && state.containers.allSatisfy(\.everStarted)
            let readiness = allReady ? "True" : "False"
            var conditions = [PodCondition(type: "PodScheduled", status: "True"),
                              PodCondition(type: "Initialized", status: state.pending == nil ? "True" : "False"),
                              PodCondition(type: "ContainersReady", status: readiness),
                              PodCondition(type: "Ready", status: readiness,
                                           reason: nodeFailed ? "NodeFailed" : (allReady ? nil : "ContainersNotReady"))]
            if state.pending != nil { conditions[1].reason = "Pending" }
            return PodStatus(phase: running ? "Running" : "Pending", podIP: state.podIP,
                             hostIP: context.hostIP, conditions: conditions,
                             containerStatuses: statuses, startTime: state.startTime,
                             message: state.pending)
        }
    }

    /// Writes the status if it changed since the last successful write. The status
    /// subresource is replaced whole (unconditionally: the kubelet owns a bound pod's status).
    func writeStatus() async {
        let status = currentStatus()
        let unchanged = state.withLockedValue { $0.terminating || $0.lastWritten == status }
        if unchanged { return }
        var pod = self.pod
        pod.metadata.resourceVersion = nil
        pod.status = status
        do {
            let written = try await context.client.updateStatus(pod)
            guard written.metadata.uid == uid else { return }
            context.pods.upsert(written)
            state.withLockedValue { $0.lastWritten = status }
            context.podSignal.fire()
        } catch {
            if !error.isNotFound { context.logger.debug("status of pod \(namespace)/\(name): \(error)") }
        }
    }
}
