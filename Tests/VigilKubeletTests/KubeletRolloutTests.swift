import Foundation
import Testing
import VigilKube
import VigilKubelet

@Suite(.serialized) struct KubeletRolloutTests {
    @Test func templateChangeRecreatesThePodAfterTheOldOneStopped() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            let old = try await h.readyPod(of: "a")
            let oldPID = try #require(h.kubelet.pid(pod: old.name, container: "agent"))

            _ = try await h.client.mergePatch(Deployment.self, name: "a", patch: [
                "spec": ["template": ["metadata": ["annotations": ["vigil.dev/config-hash": "changed"]]]],
            ])
            let new = try await eventually("the new pod") { () -> Pod? in
                let pod = try await h.readyPod(of: "a")
                return pod.name != old.name ? pod : nil
            }
            #expect(new.metadata.annotations?["vigil.dev/config-hash"] == "changed")
            #expect(new.metadata.labels?["pod-template-hash"] != old.metadata.labels?["pod-template-hash"])
            #expect(new.status?.podIP == old.status?.podIP)
            #expect(!processExists(oldPID))
            #expect(try await h.client.getIfPresent(Pod.self, name: old.name) == nil)
            try await eventually("observedGeneration 2") { () -> Bool? in
                let status = try await h.client.get(Deployment.self, name: "a").status
                return status?.observedGeneration == 2 && status?.updatedReplicas == 1 && status?.readyReplicas == 1 ? true : nil
            }
        }
    }

    @Test func scalingToZeroAndBack() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(Fixtures.secret("agents", instances: ["a"]))
            _ = try await h.client.create(Fixtures.agentDeployment("a"))
            let pod = try await h.readyPod(of: "a")
            _ = try await h.client.mergePatch(Deployment.self, name: "a", patch: ["spec": ["replicas": 0]])
            try await eventually("no pod") { try await h.pod(of: "a") == nil ? true : nil }
            try await eventually("status replicas 0") { () -> Bool? in
                try await h.client.get(Deployment.self, name: "a").status?.replicas == 0 ? true : nil
            }
            _ = try await h.client.mergePatch(Deployment.self, name: "a", patch: ["spec": ["replicas": 1]])
            let back = try await h.readyPod(of: "a")
            #expect(back.name != pod.name)
            #expect(back.status?.podIP == pod.status?.podIP)
        }
    }
}
