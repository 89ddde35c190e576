import Foundation
import Testing
import VigilKube
import VigilKubeFake

@Suite("In-cluster config")
struct InClusterConfigTests {
    @Test func readsTheServiceAccountMount() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("token", "tok-1\n")
        try dir.write("ca.crt", "CA")
        try dir.write("namespace", "vigil-system\n")
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            directory: dir.path)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "vigil-system")
        #expect(config.certificateAuthorityPEM == Array("CA".utf8))
        #expect(config.credentials == .tokenFile(path: dir.path + "/token"))

        let v6 = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"], directory: dir.path)
        #expect(v6.server == "https://[fd00::1]:6443")
    }

    @Test func outsideAPodTheErrorSaysWhy() throws {
        #expect(throws: KubeConfigError.notInCluster(missing: "KUBERNETES_SERVICE_HOST is not set")) {
            try KubeConfig.inCluster(environment: [:], directory: "/nonexistent")
        }
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        #expect(throws: KubeConfigError.fileUnreadable(path: "/nonexistent/token", reason: "no such file")) {
            try KubeConfig.inCluster(environment: env, directory: "/nonexistent")
        }
    }

    /// The kubelet rotates projected tokens; a long-running client must pick up the new one.
    @Test func rotatedTokenIsUsedWithoutRestart() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("token", "first-token")
        try await withFake(options: .init(bearerToken: "first-token")) { server, _ in
            let config = KubeConfig(server: server.url, credentials: .tokenFile(path: dir.path + "/token"))
            try await withClient(config, retry: .none) { client in
                _ = try await client.create(configMap("a"))
                // The server now only accepts the new token; the file changes (new mtime).
                server.setBearerToken("second-token")
                try dir.write("token", "second-token")
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)],
                                                      ofItemAtPath: dir.path + "/token")
                let read = try await client.get(ConfigMap.self, name: "a")
                #expect(read.name == "a")
            }
        }
    }

    @Test func unauthorizedWithAWrongToken() async throws {
        try await withFake(options: .init(bearerToken: "right")) { server, _ in
            let config = KubeConfig(server: server.url, credentials: .token(Redacted("wrong-secret")))
            try await withClient(config, retry: .none) { client in
                let error = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, name: "x") }
                #expect(error?.kind == .unauthorized)
                #expect(error?.httpStatus == 401)
                #expect(error.map { !$0.description.contains("wrong-secret") } ?? false)
            }
        }
    }
}
