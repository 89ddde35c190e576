import NIOConcurrencyHelpers
import VigilControl
import VigilEngine

/// Where the controller reaches a cluster's instances on Kubernetes: the headless Service's
/// per-pod names (stable across restarts), or pod IPs from pod status when the cluster has
/// no DNS (the test kubelet). Pod IPs are refreshed by the reconciler.
final class KubeDirectory: InstanceDirectory {
    let plan: ClusterPlan
    let addressing: OperatorOptions.Addressing
    private let podIPs = NIOLockedValueBox<[String: String]>([:])

    init(plan: ClusterPlan, addressing: OperatorOptions.Addressing) {
        self.plan = plan
        self.addressing = addressing
    }

    func update(podIPs ips: [String: String]) {
        podIPs.withLockedValue { $0 = ips }
    }

    var knownIPs: [String: String] { podIPs.withLockedValue { $0 } }

    func host(_ name: String) -> String? {
        guard plan.instance(name) != nil else { return nil }
        switch addressing {
        case .dns: return KubeNames.instanceHost(instance: name, cluster: plan.cluster, namespace: plan.namespace)
        case .podIP: return podIPs.withLockedValue { $0[name] }
        }
    }

    func mysqlEndpoint(_ name: String) -> (host: String, port: Int)? {
        host(name).map { ($0, PodLayout.mysqlPort) }
    }

    func replicationSource(_ name: String, for replica: String) -> ReplicationSource? {
        host(name).map { ReplicationSource(host: $0, port: PodLayout.mysqlPort) }
    }

    func agentSidecarURL(_ name: String) -> String? {
        host(name).map { "http://\($0):\(PodLayout.sidecarPort)" }
    }
}
