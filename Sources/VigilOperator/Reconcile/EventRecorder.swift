import Foundation
import Logging
import VigilKube

/// Writes core/v1 Events about a MySQLCluster (what `kubectl describe` shows). Best effort:
/// a failed Event is logged, never retried in the way of a decision.
struct EventRecorder: Sendable {
    let client: KubeClient
    let cluster: ObjectReference
    let logger: Logger

    init(client: KubeClient, namespace: String, name: String, uid: String?, logger: Logger) {
        self.client = client
        self.cluster = ObjectReference(apiVersion: MySQLCluster.apiVersion, kind: MySQLCluster.kind, namespace: namespace,
                                       name: name, uid: uid)
        self.logger = logger
    }

    func record(_ reason: String, _ message: String, warning: Bool = false) async {
        let now = Date()
        let event = Event(
            metadata: ObjectMeta(generateName: "\(cluster.name ?? "cluster").", namespace: cluster.namespace),
            involvedObject: cluster, reason: reason, message: String(message.prefix(1024)), type: warning ? "Warning" : "Normal",
            count: 1, firstTimestamp: now, lastTimestamp: now, source: EventSource(component: "vigil-operator"),
            reportingComponent: "vigil.dev/operator")
        do {
            _ = try await client.create(event)
        } catch {
            logger.warning("cannot record event \(reason): \(error)")
        }
    }
}
