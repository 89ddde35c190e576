import Foundation
import Testing
import VigilKube

@Suite("KubeConfig")
struct KubeConfigTests {
    static let secretToken = "s3cr3t-token-value"

    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority-data: \(Data("CA-PEM".utf8).base64EncodedString())
        - name: prod-cluster
          cluster:
            server: https://prod.example:443
            certificate-authority: certs/ca.crt
            insecure-skip-tls-verify: true
        users:
        - name: dev-user
          user:
            token: \(secretToken)
        - name: prod-user
          user:
            client-certificate: certs/client.crt
            client-key-data: \(Data("KEY-PEM".utf8).base64EncodedString())
        - name: file-user
          user:
            tokenFile: token.txt
        - name: exec-user
          user:
            exec:
              command: aws
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: team-a
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
        - name: files
          context:
            cluster: dev-cluster
            user: file-user
        - name: exec
          context:
            cluster: dev-cluster
            user: exec-user
        - name: broken
          context:
            cluster: nowhere
            user: dev-user
        """

    @Test func currentContextWithInlineData() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig)
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.contextName == "dev")
        #expect(config.certificateAuthorityPEM == Array("CA-PEM".utf8))
        #expect(config.credentials == .token(Redacted(Self.secretToken)))
        #expect(!config.insecureSkipTLSVerify)
    }

    @Test func namedContextWithFilesRelativeToTheKubeconfig() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/certs", withIntermediateDirectories: true)
        try dir.write("certs/ca.crt", "FILE-CA")
        try dir.write("certs/client.crt", "FILE-CERT")
        try dir.write("config", Self.kubeconfig)
        let config = try KubeConfig.load(path: dir.path + "/config", context: "prod")
        #expect(config.server == "https://prod.example:443")
        #expect(config.namespace == "default")
        #expect(config.insecureSkipTLSVerify)
        #expect(config.certificateAuthorityPEM == Array("FILE-CA".utf8))
        #expect(config.clientCertificatePEM == Array("FILE-CERT".utf8))
        #expect(config.clientKeyPEM?.value == Array("KEY-PEM".utf8))
        #expect(config.credentials == .none)
    }

    @Test func tokenFileIsResolvedAndMustExist() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("config", Self.kubeconfig)
        #expect(throws: KubeConfigError.fileUnreadable(path: dir.path + "/token.txt", reason: "no such file")) {
            try KubeConfig.load(path: dir.path + "/config", context: "files")
        }
        try dir.write("token.txt", "abc\n")
        let config = try KubeConfig.load(path: dir.path + "/config", context: "files")
        #expect(config.credentials == .tokenFile(path: dir.path + "/token.txt"))
    }

    @Test func errorsNameTheProblemAndNeverTheSecret() throws {
        func message(_ body: () throws -> KubeConfig) -> String {
            do {
                _ = try body()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let unknown = message { try KubeConfig.parse(yaml: Self.kubeconfig, path: "/x/config", context: "staging") }
        #expect(unknown.contains("context \"staging\" is not in kubeconfig /x/config"))
        #expect(unknown.contains("available: broken, dev, exec, files, prod"))

        let cluster = message { try KubeConfig.parse(yaml: Self.kubeconfig, context: "broken") }
        #expect(cluster.contains("cluster \"nowhere\""))

        let exec = message { try KubeConfig.parse(yaml: Self.kubeconfig, context: "exec") }
        #expect(exec.contains("exec"))

        let missing = message { try KubeConfig.load(path: "/nonexistent/kubeconfig") }
        #expect(missing == "cannot read /nonexistent/kubeconfig: no such file")

        let noCurrent = message {
            try KubeConfig.parse(yaml: Self.kubeconfig.replacingOccurrences(of: "current-context: dev\n", with: ""))
        }
        #expect(noCurrent.contains("no current-context"))

        // A YAML error on the token's line must not echo the token.
        let corrupt = Self.kubeconfig.replacingOccurrences(of: "token: \(Self.secretToken)",
                                                           with: "token: \(Self.secretToken): [")
        let yamlError = message { try KubeConfig.parse(yaml: corrupt) }
        #expect(yamlError.contains("not valid YAML"))
        let badBase64 = message {
            try KubeConfig.parse(yaml: Self.kubeconfig.replacingOccurrences(
                of: "certificate-authority-data: \(Data("CA-PEM".utf8).base64EncodedString())",
                with: "certificate-authority-data: abc@@def"))
        }
        #expect(badBase64.contains("cluster dev-cluster.certificate-authority-data"))
        #expect(!badBase64.contains("abc@@def"))

        for text in [unknown, cluster, exec, missing, noCurrent, yamlError, badBase64] {
            #expect(!text.contains(Self.secretToken))
        }
    }

    @Test func descriptionsRedactSecrets() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig)
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped,
                     String(describing: config.credentials)] {
            #expect(!text.contains(Self.secretToken))
        }
        #expect(String(describing: config).contains("https://10.0.0.1:6443"))
    }

    @Test func notAMapping() {
        #expect(throws: KubeConfigError.self) { try KubeConfig.parse(yaml: "- just\n- a list\n") }
    }
}
