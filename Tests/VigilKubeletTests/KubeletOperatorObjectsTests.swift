import Foundation
import Testing
import VigilKube
import VigilKubelet
import VigilOperator
import VigilTestSupport

/// Exactly what the operator creates for a cluster (`DesiredObjects`), run by the kubelet:
/// the pods must come up with real MariaDB servers and agents, each on its own zone's node.
@Suite(.serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct KubeletOperatorObjectsTests {
    @Test func operatorsObjectsBecomeReadyMariaDBAndAgentPods() async throws {
        try await KubeletHarness.with { h in
            let spec = MySQLClusterSpec(sites: [
                .init(name: "a", instances: 1, placement: .init(nodeSelector: ["topology.kubernetes.io/zone": "zone-a"])),
                .init(name: "b", instances: 1, placement: .init(nodeSelector: ["topology.kubernetes.io/zone": "zone-b"])),
            ])
            let cluster = try await h.client.create(MySQLCluster(metadata: ObjectMeta(name: "shop", namespace: "default"), spec: spec))
            let plan = try ClusterPlan.resolve(cluster: "shop", namespace: "default", spec: spec).get()
            let objects = DesiredObjects(plan: plan, secrets: .generate(), owner: OwnerReference(controller: cluster),
                                         options: OperatorOptions(addressing: .podIP))
            _ = try await h.client.create(try objects.configMap())
            // Only the valid names: `shop-account-vigil_admin` etc. are not RFC 1123 names (an
            // operator bug, reported). The pods need `shop-account-root` only.
            for secret in objects.accountSecrets() where !secret.name.contains("_") {
                _ = try await h.client.create(secret)
            }
            _ = try await h.client.create(try objects.agentSecret())
            for claim in objects.claims() { _ = try await h.client.create(claim) }
            for service in objects.services() { _ = try await h.client.create(service) }
            let deployments = try objects.deployments()
            for deployment in deployments { _ = try await h.client.create(deployment) }

            let admin = objects.secrets.password("vigil_admin")
            var ips: [String] = []
            for (deployment, node) in zip(deployments, ["node-a", "node-b"]) {
                let pod = try await h.readyPod(of: deployment.name, timeout: .seconds(180))
                #expect(pod.spec?.nodeName == node)
                let ip = try #require(pod.status?.podIP)
                ips.append(ip)
                let output = try await VigilBinary.runExecutable(
                    try MariaDBServer.clientPath(),
                    ["--no-defaults", "--protocol=TCP", "--host=\(ip)", "--port=3306", "--user=vigil_admin",
                     "--password=\(admin)", "--skip-ssl", "--batch", "--skip-column-names", "--execute=SELECT @@read_only"])
                #expect(output.status == 0, "\(output.stderr)")
                #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            }
            // The headless Service publishes every pod, with its hostname.
            let headless = try await eventually("headless endpoints") { () -> [EndpointAddress]? in
                let addresses = try await h.client.getIfPresent(Endpoints.self, name: "shop-headless")?
                    .subsets?.first?.addresses ?? []
                return addresses.count == 2 ? addresses : nil
            }
            #expect(Set(headless.map(\.ip)) == Set(ips))
            #expect(Set(headless.compactMap(\.hostname)) == Set(deployments.map(\.name)))
        }
    }
}
