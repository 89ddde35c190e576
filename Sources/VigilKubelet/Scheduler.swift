import Foundation
import NIOConcurrencyHelpers
import VigilKube

/// A minimal scheduler plus the taint manager's eviction:
/// - binds pods without `spec.nodeName` to a node that is schedulable, not failed, whose
///   labels satisfy the pod's `nodeSelector` and whose NoSchedule / NoExecute taints the pod
///   tolerates; among those, the one with the fewest pods (then by name). Node affinity is
///   not evaluated. A pod that fits nowhere gets `PodScheduled=False` (`Unschedulable`).
/// - deletes pods on a node with a NoExecute taint they do not tolerate (with
///   `tolerationSeconds`, that long after the kubelet first saw the taint).
final class Scheduler: Sendable {
    let context: KubeletContext
    /// "pod uid|taint key" → when the tolerated NoExecute taint was first seen.
    private let taintSeen = NIOLockedValueBox<[String: ContinuousClock.Instant]>([:])

    init(context: KubeletContext) { self.context = context }

    func reconcile() async {
        let nodes = context.nodeObjects.items.sorted { $0.name < $1.name }
        let pods = context.pods.items.filter { $0.metadata.deletionTimestamp == nil }
        var load: [String: Int] = [:]
        for pod in pods { if let node = pod.spec?.nodeName { load[node, default: 0] += 1 } }

        for pod in pods where pod.spec?.nodeName == nil && !Self.finished(pod) {
            let candidates = nodes.filter { fits(pod, on: $0) }
            guard let node = candidates.min(by: { load[$0.name, default: 0] < load[$1.name, default: 0] }) else {
                await markUnschedulable(pod, nodes: nodes.count)
                continue
            }
            do {
                let bound = try await context.client.mergePatch(
                    Pod.self, name: pod.name, namespace: pod.metadata.namespace,
                    patch: ["spec": ["nodeName": .string(node.name)]])
                context.pods.upsert(bound)
                load[node.name, default: 0] += 1
            } catch {
                context.logger.debug("cannot bind pod \(pod.name) to \(node.name): \(error)")
            }
        }
        await evict(pods: pods, nodes: nodes)
    }

    static func finished(_ pod: Pod) -> Bool {
        pod.status?.phase == "Failed" || pod.status?.phase == "Succeeded"
    }

    func fits(_ pod: Pod, on node: Node) -> Bool {
        if node.spec?.unschedulable == true || context.isFailed(node.name) { return false }
        let labels = node.metadata.labels ?? [:]
        for (key, value) in pod.spec?.nodeSelector ?? [:] where labels[key] != value { return false }
        return !Tolerations.blocksScheduling(node.spec?.taints ?? [], pod.spec?.tolerations ?? [])
    }

    private func markUnschedulable(_ pod: Pod, nodes: Int) async {
        let message = "0/\(nodes) nodes are available: none matches the pod's node selector and tolerates the nodes' taints"
        if pod.status?.conditions?.contains(where: { $0.type == "PodScheduled" && $0.status == "False" }) == true { return }
        var object = pod
        object.metadata.resourceVersion = nil
        object.status = PodStatus(phase: "Pending", conditions: [
            PodCondition(type: "PodScheduled", status: "False", reason: "Unschedulable", message: message),
        ])
        if let written = try? await context.client.updateStatus(object) { context.pods.upsert(written) }
    }

    private func evict(pods: [Pod], nodes: [Node]) async {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        let now = ContinuousClock.now
        var seen: Set<String> = []
        for pod in pods {
            guard let nodeName = pod.spec?.nodeName, let node = byName[nodeName] else { continue }
            var evict = false
            for taint in node.spec?.taints ?? [] where taint.effect == "NoExecute" {
                guard let toleration = Tolerations.matching(pod.spec?.tolerations ?? [], taint) else {
                    evict = true
                    break
                }
                guard let seconds = toleration.tolerationSeconds else { continue }
                let key = "\(pod.metadata.uid ?? pod.name)|\(taint.key)"
                seen.insert(key)
                let first = taintSeen.withLockedValue { seen in
                    if let first = seen[key] { return first }
                    seen[key] = now
                    return now
                }
                if now >= first + .seconds(max(seconds, 0)) { evict = true }
            }
            guard evict else { continue }
            context.logger.info("evicting pod \(pod.name) from \(nodeName): untolerated NoExecute taint")
            do {
                try await context.client.delete(Pod.self, name: pod.name, namespace: pod.metadata.namespace)
                context.pods.remove(namespace: pod.metadata.namespace, name: pod.name)
            } catch {
                context.logger.debug("cannot evict pod \(pod.name): \(error)")
            }
        }
        taintSeen.withLockedValue { $0 = $0.filter { seen.contains($0.key) } }
    }
}
