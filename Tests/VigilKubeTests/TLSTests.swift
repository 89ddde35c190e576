import Foundation
import Testing
import VigilKube
import VigilKubeFake

/// The client's TLS and kubeconfig path for real: a CA and a server certificate for
/// 127.0.0.1 made with the `openssl` CLI, the fake serving HTTPS, a kubeconfig on disk.
@Suite("TLS")
struct TLSTests {
    static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KubeConfigError.fileUnreadable(path: "openssl", reason: "openssl \(arguments.first ?? "") failed")
        }
    }

    static func makeCertificates(in dir: TempDirectory) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                     "-days", "1", "-subj", "/CN=vigil-test-ca"], in: dir.path)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                     "-subj", "/CN=127.0.0.1"], in: dir.path)
        try dir.write("ext.cnf", "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "server.crt", "-days", "1", "-extfile", "ext.cnf"], in: dir.path)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func kubeconfigWithCAFileAndTokenOverHTTPS() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try Self.makeCertificates(in: dir)
        let certificate = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/server.crt")))
        let key = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/server.key")))
        let server = try await FakeKubeServer.start(options: .init(bearerToken: "tls-token",
                                                                   tlsCertificatePEM: certificate, tlsKeyPEM: key))
        do {
            #expect(server.url.hasPrefix("https://127.0.0.1:"))
            try dir.write("config", """
                apiVersion: v1
                kind: Config
                current-context: fake
                clusters:
                - name: fake
                  cluster:
                    server: \(server.url)
                    certificate-authority: ca.crt
                users:
                - name: me
                  user:
                    token: tls-token
                contexts:
                - name: fake
                  context: {cluster: fake, user: me, namespace: tls}
                """)
            let config = try KubeConfig.load(path: dir.path + "/config")
            try await withClient(config) { client in
                let created = try await client.create(configMap("over-tls"))
                #expect(created.metadata.namespace == "tls")
                #expect(try await client.get(ConfigMap.self, name: "over-tls").name == "over-tls")
            }

            // Without the CA the server is not trusted.
            var untrusted = config
            untrusted.certificateAuthorityPEM = nil
            try await withClient(untrusted, retry: .none) { client in
                let error = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, name: "x") }
                #expect(error?.kind == .transport)
            }
            // insecure-skip-tls-verify accepts it anyway.
            untrusted.insecureSkipTLSVerify = true
            let read = try await withClient(untrusted, retry: .none) { client in
                try await client.get(ConfigMap.self, name: "over-tls")
            }
            #expect(read.name == "over-tls")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
