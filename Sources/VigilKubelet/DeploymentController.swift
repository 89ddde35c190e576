import Crypto
import Foundation
import VigilKube

/// A minimal Deployment controller. Pods are owned by the Deployment directly (there are no
/// ReplicaSets): `<deployment>-<5 chars>`, the template's labels plus `pod-template-hash`,
/// its annotations and spec, and a controller ownerReference (so the API server's garbage
/// collector deletes them with the Deployment).
///
/// Every strategy behaves as `Recreate`: when the template's hash changes, the old pods are
/// deleted first, and new ones are created only once the old pods' processes are gone (the
/// fake deletes a pod object at once, where a real API server keeps it until the kubelet has
/// stopped it; asking our kubelet gives the same ordering, so two servers never share a
/// data directory or an IP). Pods that failed (phase Failed) are kept, not replaced.
struct DeploymentController: Sendable {
    let context: KubeletContext
    /// Whether a pod this Deployment (uid) owned is still being stopped by the kubelet.
    let hasTerminatingPods: @Sendable (String) -> Bool

    static let hashLabel = "pod-template-hash"

    func reconcile() async {
        let pods = context.pods.items
        for deployment in context.deployments.items {
            await reconcile(deployment, pods: pods)
        }
    }

    static func templateHash(_ template: PodTemplateSpec) -> String {
        let data = (try? KubeCodec.encode(template)) ?? Data()
        return SHA256.hash(data: data).prefix(5).map { String(format: "%02x", $0) }.joined()
    }

    private func reconcile(_ deployment: Deployment, pods allPods: [Pod]) async {
        guard deployment.metadata.deletionTimestamp == nil, let uid = deployment.metadata.uid,
              let template = deployment.spec?.template else { return }
        let namespace = deployment.metadata.namespace ?? "default"
        let active = allPods.filter { pod in
            pod.metadata.namespace == namespace && pod.metadata.deletionTimestamp == nil
                && (pod.metadata.ownerReferences ?? []).contains { $0.uid == uid && $0.controller == true }
        }
        let hash = Self.templateHash(template)
        let desired = max(deployment.spec?.replicas ?? 1, 0)
        let old = active.filter { $0.metadata.labels?[Self.hashLabel] != hash }
        var current = active.filter { $0.metadata.labels?[Self.hashLabel] == hash }

        if !old.isEmpty {
            for pod in old { await delete(pod) }
        } else if current.count > desired {
            // Scale down: not-ready pods go first, then the newest.
            let victims = current.sorted { lhs, rhs in
                let (l, r) = (Self.isReady(lhs), Self.isReady(rhs))
                if l != r { return !l }
                return (lhs.metadata.creationTimestamp ?? .distantPast) > (rhs.metadata.creationTimestamp ?? .distantPast)
            }.prefix(current.count - desired)
            for pod in victims { await delete(pod) }
            current.removeAll { pod in victims.contains { $0.metadata.uid == pod.metadata.uid } }
        } else if current.count < desired, !hasTerminatingPods(uid) {
            for _ in current.count..<desired {
                if let pod = await create(deployment, template: template, hash: hash) { current.append(pod) }
            }
        }
        await writeStatus(deployment, active: old.isEmpty ? current : active, updated: current)
    }

    static func isReady(_ pod: Pod) -> Bool {
        pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    private func create(_ deployment: Deployment, template: PodTemplateSpec, hash: String) async -> Pod? {
        var labels = template.metadata?.labels ?? [:]
        labels[Self.hashLabel] = hash
        let pod = Pod(
            metadata: ObjectMeta(name: "\(deployment.name)-\(Self.suffix())", namespace: deployment.metadata.namespace,
                                 labels: labels, annotations: template.metadata?.annotations,
                                 ownerReferences: [OwnerReference(controller: deployment)]),
            spec: template.spec)
        do {
            let created = try await context.client.create(pod)
            context.pods.upsert(created)
            return created
        } catch {
            context.logger.warning("deployment \(deployment.name): cannot create a pod: \(error)")
            return nil
        }
    }

    private func delete(_ pod: Pod) async {
        do {
            try await context.client.delete(Pod.self, name: pod.name, namespace: pod.metadata.namespace)
            context.pods.remove(namespace: pod.metadata.namespace, name: pod.name)
        } catch {
            context.logger.warning("cannot delete pod \(pod.name): \(error)")
        }
    }

    /// Like Kubernetes' random suffixes: consonants and digits that spell no words.
    static func suffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    private func writeStatus(_ deployment: Deployment, active: [Pod], updated: [Pod]) async {
        let ready = active.filter(Self.isReady).count
        var status = deployment.status ?? DeploymentStatus()
        status.replicas = active.count
        status.readyReplicas = ready
        status.availableReplicas = ready
        status.updatedReplicas = updated.count
        status.observedGeneration = deployment.metadata.generation
        guard status != deployment.status else { return }
        var object = deployment
        object.metadata.resourceVersion = nil
        object.status = status
        do {
            context.deployments.upsert(try await context.client.updateStatus(object))
        } catch {
            if !error.isNotFound { context.logger.debug("status of deployment \(deployment.name): \(error)") }
        }
    }
}
