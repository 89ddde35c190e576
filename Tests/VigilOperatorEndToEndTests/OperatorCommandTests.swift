import Foundation
import Testing
import VigilTestSupport

/// The operator's commands with bad input: a clear message, exit 1, nothing else.
@Suite struct OperatorCommandTests {
    @Test func dryRunOfAnInvalidClusterListsEveryProblem() async throws {
        let path = NSTemporaryDirectory() + "vigil-bad-cluster-\(UUID().uuidString.prefix(6)).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        apiVersion: vigil.dev/v1alpha1
        kind: MySQLCluster
        metadata: {name: shop, namespace: default}
        spec:
          engine: {flavor: postgres}
          sites: [{name: dr, role: dr-only, instances: 2}]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let out = try await VigilBinary.run(["manifests", "--cluster", path])
        #expect(out.status == 1)
        #expect(out.stdout.isEmpty, "nothing is printed for an invalid cluster")
        #expect(out.stderr.contains("flavor 'postgres' is unknown"), "\(out.stderr)")
        #expect(out.stderr.contains("no site has role primary-candidate"), "\(out.stderr)")
    }

    @Test func dryRunOfTheExamplePrintsEveryOwnedObject() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/examples/mysqlcluster.yaml").path
        let out = try await VigilBinary.run(["manifests", "--cluster", example])
        #expect(out.status == 0, "\(out.stderr)")
        for kind in ["ConfigMap", "Secret", "Service", "PodDisruptionBudget", "PersistentVolumeClaim", "Deployment", "DNSEndpoint"] {
            #expect(out.stdout.contains("kind: \(kind)\n"), "missing \(kind)")
        }
        #expect(out.stdout.contains("name: shop-b-0"))
    }

    @Test func missingKubeconfigFailsWithItsPath() async throws {
        for command in [["operator", "--kubeconfig", "/nonexistent/kubeconfig"],
                        ["kubectl", "status", "--kubeconfig", "/nonexistent/kubeconfig"]] {
            let out = try await VigilBinary.run(command, timeout: .seconds(30))
            #expect(out.status == 1, "\(command)")
            #expect(out.stderr.contains("/nonexistent/kubeconfig"), "\(command): \(out.stderr)")
        }
    }

    @Test func badUsageExitsTwo() async throws {
        let out = try await VigilBinary.run(["operator", "--addressing", "carrier-pigeon", "--kubeconfig", "/x"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--addressing must be dns or pod-ip"))
    }
}
