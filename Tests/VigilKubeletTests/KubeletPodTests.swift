import Foundation
import Testing
import VigilKube
import VigilKubelet

/// Pods running the real `vigil agent` (no database: fast), through the fake API server.
@Suite(.serialized) struct KubeletPodTests {
    @Test func deploymentBecomesARunningPodWithAnIPAndReadyContainers() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            let deployment = try await h.client.create(Fixtures.agentDeployment("a"))
            let pod = try await h.readyPod(of: "a")

            #expect(pod.name.hasPrefix("a-") && pod.name.count == 7)
            #expect(pod.metadata.ownerReferences?.first?.uid == deployment.metadata.uid)
            #expect(pod.metadata.ownerReferences?.first?.controller == true)
            #expect(pod.metadata.labels?["pod-template-hash"] != nil)
            #expect(["node-a", "node-b"].contains(pod.spec?.nodeName ?? ""))
            let ip = try #require(pod.status?.podIP)
            #expect(ip.hasPrefix(h.kubelet.ipPrefix))
            #expect(pod.status?.hostIP == "127.0.0.1")
            #expect(pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true)
            #expect(h.kubelet.pid(pod: pod.name, container: "agent") != nil)

            let nodes = try await h.client.list(Node.self).items.map(\.name).sorted()
            #expect(nodes == ["node-a", "node-b"])
            let status = try await eventually("deployment status") { () -> DeploymentStatus? in
                let status = try await h.client.get(Deployment.self, name: "a").status
                return status?.readyReplicas == 1 ? status : nil
            }
            #expect(status.replicas == 1)
            #expect(status.observedGeneration == 1)
        }
    }

    @Test func killedContainerIsRestartedWithItsRestartCount() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            let pod = try await h.readyPod(of: "a")
            let first = try #require(h.kubelet.pid(pod: pod.name, container: "agent"))

            #expect(h.kubelet.kill(pod: pod.name, container: "agent", signal: SIGKILL))
            let restarted = try await eventually("the agent restarted and ready") { () -> Pod? in
                let current = try await h.client.get(Pod.self, name: pod.name)
                guard let agent = current.status?.containerStatuses?.first, agent.restartCount == 1, agent.ready
                else { return nil }
                return current
            }
            #expect(restarted.status?.podIP == pod.status?.podIP)
            let second = try #require(h.kubelet.pid(pod: pod.name, container: "agent"))
            #expect(second != first)
            #expect(!processExists(first))
        }
    }

    @Test func deletingTheDeploymentStopsItsProcesses() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            let pod = try await h.readyPod(of: "a")
            let pid = try #require(h.kubelet.pid(pod: pod.name, container: "agent"))

            try await h.client.delete(Deployment.self, name: "a")
            // The fake's garbage collector deletes the pod; the kubelet stops its processes.
            try await eventually("the pod collected") {
                try await h.client.getIfPresent(Pod.self, name: pod.name) == nil ? true : nil
            }
            try await eventually("the agent process gone") { processExists(pid) ? nil : true }
            #expect(h.kubelet.pid(pod: pod.name, container: "agent") == nil)
        }
    }

    @Test func recreatedPodOfTheSameHostnameGetsTheSameIP() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a", "b"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            _ = try await h.client.create(Fixtures.agentDeployment("b"))
            let a = try await h.readyPod(of: "a")
            let b = try await h.readyPod(of: "b")
            #expect(a.status?.podIP != b.status?.podIP)

            try await h.client.delete(Pod.self, name: a.name)
            let replacement = try await eventually("a new ready pod of a") { () -> Pod? in
                let pod = try await h.readyPod(of: "a")
                return pod.name != a.name ? pod : nil
            }
            #expect(replacement.status?.podIP == a.status?.podIP)

            // Also when the whole Deployment is deleted and created again (as the operator may).
            try await h.client.delete(Deployment.self, name: "a")
            try await eventually("a's pod gone") { try await h.pod(of: "a") == nil ? true : nil }
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            let again = try await eventually("a third pod of a") { () -> Pod? in
                let pod = try await h.readyPod(of: "a")
                return pod.name != replacement.name ? pod : nil
            }
            #expect(again.status?.podIP == a.status?.podIP)
        }
    }

    @Test func endpointsFollowLabelChanges() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a", "b"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            _ = try await h.client.create(Fixtures.agentDeployment("b"))
            let a = try await h.readyPod(of: "a")
            let b = try await h.readyPod(of: "b")
            _ = try await h.client.create(Service(
                metadata: ObjectMeta(name: "primary", namespace: "default"),
                spec: ServiceSpec(selector: ["app": "kubelet-test", "role": "primary"],
                                  ports: [ServicePort(name: "sidecar", port: 80, targetPort: .string("sidecar"))])))

            func addresses() async throws -> [String] {
                let endpoints = try await h.client.getIfPresent(Endpoints.self, name: "primary")
                return (endpoints?.subsets ?? []).flatMap { $0.addresses ?? [] }.map(\.ip)
            }
            func label(_ pod: Pod, _ role: String?) async throws {
                _ = try await h.client.mergePatch(Pod.self, name: pod.name,
                                                  patch: ["metadata": ["labels": ["role": role.map { .string($0) } ?? .null]]])
            }

            try await label(a, "primary")
            try await eventually("endpoints → a") { try await addresses() == [a.status?.podIP ?? ""] ? true : nil }
            let endpoints = try await h.client.get(Endpoints.self, name: "primary")
            #expect(endpoints.subsets?.first?.ports?.first?.port == 8080)

            try await label(a, nil)
            try await label(b, "primary")
            try await eventually("endpoints → b") { try await addresses() == [b.status?.podIP ?? ""] ? true : nil }

            // A pod that stops being ready moves to notReadyAddresses.
            try await h.kubelet.failNode(b.spec?.nodeName ?? "")
            try await eventually("b not ready") { () -> Bool? in
                let subset = try await h.client.get(Endpoints.self, name: "primary").subsets?.first
                return subset?.addresses == nil && subset?.notReadyAddresses?.map(\.ip) == [b.status?.podIP ?? ""] ? true : nil
            }
        }
    }

    @Test func untoleratedNoExecuteTaintEvicts() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a", "b"]))
            let zoneA = ["topology.kubernetes.io/zone": "zone-a"]
            _ = try await h.client.create(Fixtures.agentDeployment("a", nodeSelector: zoneA))
            _ = try await h.client.create(Fixtures.agentDeployment(
                "b", nodeSelector: zoneA, tolerations: [Toleration(key: "vigil.dev/site-down", operator: "Exists")]))
            let a = try await h.readyPod(of: "a")
            let b = try await h.readyPod(of: "b")
            #expect(a.spec?.nodeName == "node-a")
            let pid = try #require(h.kubelet.pid(pod: a.name, container: "agent"))

            var node = try await h.client.get(Node.self, name: "node-a")
            node.spec?.taints = [Taint(key: "vigil.dev/site-down", value: "true", effect: "NoExecute")]
            if node.spec == nil { node.spec = NodeSpec(taints: [Taint(key: "vigil.dev/site-down", value: "true", effect: "NoExecute")]) }
            _ = try await h.client.update(node)

            try await eventually("a evicted") { try await h.client.getIfPresent(Pod.self, name: a.name) == nil ? true : nil }
            try await eventually("a's process gone") { processExists(pid) ? nil : true }
            // Its replacement fits nowhere (zone-a only, and zone-a is tainted).
            let pending = try await eventually("a's replacement unschedulable") { () -> Pod? in
                guard let pod = try await h.pod(of: "a"), pod.spec?.nodeName == nil,
                      pod.status?.conditions?.contains(where: { $0.reason == "Unschedulable" }) == true else { return nil }
                return pod
            }
            #expect(pending.status?.phase == "Pending")
            // The tolerating pod stays.
            #expect(try await h.client.getIfPresent(Pod.self, name: b.name) != nil)
            #expect(h.kubelet.pid(pod: b.name, container: "agent") != nil)
        }
    }

    @Test func failedNodeKillsItsPodsUntilRecovered() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a", nodeSelector: ["topology.kubernetes.io/zone": "zone-b"]))
            let pod = try await h.readyPod(of: "a")
            let pid = try #require(h.kubelet.pid(pod: pod.name, container: "agent"))

            try await h.kubelet.failNode("node-b")
            #expect(!processExists(pid))
            #expect(h.kubelet.pid(pod: pod.name, container: "agent") == nil)
            try await eventually("pod not ready") { () -> Bool? in
                let current = try await h.client.get(Pod.self, name: pod.name)
                return current.status?.conditions?.contains { $0.type == "Ready" && $0.status == "False" } == true ? true : nil
            }
            let node = try await h.client.get(Node.self, name: "node-b")
            #expect(node.status?.conditions?.first?["status"]?.stringValue == "Unknown")

            try await h.kubelet.recoverNode("node-b")
            let back = try await h.readyPod(of: "a")
            #expect(back.name == pod.name)
            #expect(back.status?.containerStatuses?.first?.restartCount == 1)
        }
    }

    @Test func unsupportedImageFailsThePodWithAReason() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.deployment(
                "x", containers: [Container(name: "shell", image: "busybox:1.36", command: ["sleep", "1000"])], volumes: []))
            let pod = try await eventually("a failed pod") { () -> Pod? in
                guard let pod = try await h.pod(of: "x"), pod.status?.phase == "Failed" else { return nil }
                return pod
            }
            #expect(pod.status?.reason == "UnsupportedImage")
            #expect(pod.status?.message?.contains("busybox") == true)
        }
    }

    @Test func stopLeavesNoProcesses() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a", "b"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            _ = try await h.client.create(Fixtures.agentDeployment("b"))
            _ = try await h.readyPod(of: "a")
            _ = try await h.readyPod(of: "b")
            let pids = h.kubelet.allPIDs
            #expect(pids.count == 2)
            await h.kubelet.stop()
            for pid in pids { #expect(!processExists(pid)) }
            #expect(h.kubelet.allPIDs.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: h.kubelet.workDirectory))
        }
    }
}
