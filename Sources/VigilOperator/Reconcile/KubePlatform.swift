import Foundation
import Logging
import NIOConcurrencyHelpers
import VigilAgent
import VigilControl
import VigilCore
import VigilKube
import VigilObserve

/// The operator's side of the shared controller loop for one MySQLCluster: the decision
/// core's status goes into the cluster's status subresource (write-ahead), traffic moves by
/// pod role labels (the `-primary` Service follows) and then the DNSEndpoint, notes become
/// Events.
final class KubePlatform: GroupPlatform {
    let client: KubeClient
    let plan: ClusterPlan
    let directory: KubeDirectory
    let objects: DesiredObjects
    let events: EventRecorder
    let token: String
    let logger: Logger
    let observability: OperatorObservability
    let group: String
    /// Instance → pod name, refreshed by the reconciler.
    private let pods = NIOLockedValueBox<[String: String]>([:])

    init(client: KubeClient, plan: ClusterPlan, directory: KubeDirectory, objects: DesiredObjects, events: EventRecorder,
         token: String, observability: OperatorObservability, group: String, logger: Logger) {
        self.observability = observability
        self.group = group
        self.client = client
        self.plan = plan
        self.directory = directory
        self.objects = objects
        self.events = events
        self.token = token
        self.logger = logger
    }

    func update(pods map: [String: String]) { pods.withLockedValue { $0 = map } }
    func pod(_ instance: String) -> String? { pods.withLockedValue { $0[instance] } }

    /// Patches `status.controller` from what the server holds now to `status` (fields that
    /// disappeared become null), so the stored copy is exactly `status`. Only the leading
    /// operator's controller loop writes this field, one write at a time.
    func persist(_ status: GroupStatus) async throws {
        let new = try KubeCodec.json(status)
        let current = try await client.get(RawMySQLCluster.self, name: plan.cluster, namespace: plan.namespace)
        var fields: [String: JSONValue] = [:]
        if let change = MergePatchDiff.diff(from: current.status?["controller"], to: new) { fields["controller"] = change }
        fields["primary"] = status.primary.map(JSONValue.string) ?? .null
        fields["cooldownUntil"] = status.cooldownUntil.map { .string(ControllerClock.iso8601($0)) } ?? .null
        if let failover = status.lastFailover {
            fields["lastFailover"] = try KubeCodec.json(MySQLClusterStatus.FailoverStatus(
                from: failover.from, to: failover.to, reason: "\(failover.reason)",
                startedAt: ControllerClock.iso8601(failover.startedAt), durationMs: Int(failover.durationMs)))
        }
        let _: MySQLCluster = try await client.mergePatch(MySQLCluster.self, name: plan.cluster, namespace: plan.namespace,
                                                          patch: ["status": .object(fields)], subresource: .status)
    }

    /// The old primary loses the label before the new one gets it, so the `-primary`
    /// Service never selects two pods; DNS follows once the labels are in place.
    func moveTraffic(to primary: String, status: GroupStatus) async -> ActionResult {
        do {
            for instance in plan.instances where instance.name != primary {
                try await label(instance.name, role: "replica", healthy: nil)
            }
            try await label(primary, role: "primary", healthy: "yes")
            if let address = directory.knownIPs[primary], let record = objects.dnsEndpoint(primaryAddress: address) {
                _ = try await client.apply(record, force: true)
            }
            await events.record("TrafficMoved", "writes now go to \(primary) (term \(status.term))")
            return .succeeded(nil)
        } catch {
            return .failed("moving traffic to \(primary): \(error)")
        }
    }

    /// Sets an instance pod's role (and health) labels; a missing pod is skipped.
    func label(_ instance: String, role: String, healthy: String?) async throws {
        guard let pod = pod(instance) else { return }
        var labels: [String: JSONValue] = [ClusterLabels.role: .string(role)]
        if let healthy { labels[ClusterLabels.healthy] = .string(healthy) }
        let patch: JSONValue = ["metadata": ["labels": .object(labels)]]
        let result = await patchPod(pod, patch)
        if case .failure(let error) = result, !error.isNotFound { throw error }
    }

    private func patchPod(_ pod: String, _ patch: JSONValue) async -> Result<Pod, KubeError> {
        do {
            return .success(try await client.mergePatch(Pod.self, name: pod, namespace: plan.namespace, patch: patch))
        } catch {
            return .failure(error)
        }
    }

    func record(_ note: ControllerNote) async {
        let metrics = observability.metrics
        switch note {
        case .failover(let record):
            metrics.failover(group: group, reason: record.reason.name, outcome: "\(record.outcome)",
                             duration: .milliseconds(Int64(record.durationMs)), steps: [])
            observability.event(group: group, kind: "failover", instance: record.to,
                                text: "\(record.from ?? "-") → \(record.to) in \(record.durationMs) ms (\(record.outcome))")
            await events.record(record.outcome == .completed ? "FailoverCompleted" : "FailoverFailed",
                                "\(record.from ?? "-") → \(record.to) in \(record.durationMs) ms: \(record.reason)",
                                warning: record.outcome != .completed)
        case .switchover(let record):
            metrics.switchover(group: group, reason: "requested", outcome: "\(record.outcome)",
                               writesBlocked: .milliseconds(Int64(record.writeBlockedMs)), steps: [])
            observability.event(group: group, kind: "switchover", instance: record.to,
                                text: "\(record.from) → \(record.to) (\(record.outcome)), writes blocked \(record.writeBlockedMs) ms")
            await events.record("Switchover", "\(record.from) → \(record.to) (\(record.outcome)), writes blocked \(record.writeBlockedMs) ms")
        case .decision(let reason, let state):
            observability.event(group: group, kind: "decision", text: "\(state): \(reason)")
            await events.record("Decision", "\(state): \(reason)")
        case .actionStarted:
            break
        case .actionFailed(let id, let why):
            observability.event(group: group, kind: "action", text: "\(id) failed: \(why)")
            await events.record("ActionFailed", "\(id): \(why)", warning: true)
        }
    }

    func pokeAgent(_ name: String) {
        guard let url = directory.agentSidecarURL(name) else { return }
        AgentCall.post(AgentAPI.pokePath, to: url, token: token, timeout: .seconds(1))
    }
}
