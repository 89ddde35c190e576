import Foundation
import Testing
import VigilAgent
import VigilCore

@Suite("AgentConfig")
struct AgentConfigTests {
    static let password = "pw-Secret-123"
    static let token = "tok-Secret-456"

    static let valid = """
        {
          "instance": "db-1", "flavor": "mariadb",
          "mysql": {"host": "127.0.0.1", "port": 3306, "user": "vigil_admin", "password": "\(password)"},
          "pidFile": "/tmp/mysqld.pid",
          "controller": "http://127.0.0.1:7000",
          "peers": [{"name": "db-2", "sidecar": "http://127.0.0.1:8081"}],
          "listen": {"host": "127.0.0.1", "roleProbePort": 5001, "sidecarPort": 8080, "metricsPort": 9187},
          "token": "\(token)",
          "lease": {"leaseTimeoutMs": 4000, "probeIntervalMs": 500, "peerVouchWindowMs": null},
          "serverProbeIntervalMs": 200
        }
        """

    private func write(_ text: String, mode: Int = 0o600) throws -> String {
        let path = NSTemporaryDirectory() + "agent-config-\(UUID().uuidString).json"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
        return path
    }

    @Test func loadsAValidFile() throws {
        let path = try write(Self.valid)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try AgentConfig.load(path: path)
        #expect(config.instance == "db-1")
        #expect(config.flavor == .mariadb)
        #expect(config.mysql.password == Self.password)
        #expect(config.peers == [AgentConfig.Peer(name: "db-2", sidecar: "http://127.0.0.1:8081")])
        #expect(config.lease.leaseTimeout == .seconds(4))
        #expect(config.lease.probeInterval == .milliseconds(500))
        #expect(config.lease.peerVouchWindow == nil)
        #expect(config.lease.fenceEscalation == LeaseContract().fenceEscalation)
        #expect(config.serverProbeIntervalMs == 200)
        // Secrets never show in the description.
        #expect(!"\(config)".contains(Self.password))
        #expect(!"\(config)".contains(Self.token))
        #expect("\(config)".contains("<redacted>"))
        // Round trip.
        let again = try JSONDecoder().decode(AgentConfig.self, from: JSONEncoder().encode(config))
        #expect(again.lease == config.lease)
        #expect(again.token == config.token)
    }

    @Test func defaultsForOptionalFields() throws {
        let minimal = """
            {"instance": "db-1", "flavor": "mysql", "mysql": {"host": "h", "port": 3306, "user": "u", "password": "p"},
             "controller": "http://c:1", "token": "t"}
            """
        let path = try write(minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try AgentConfig.load(path: path)
        #expect(config.listen == AgentConfig.Listen())
        #expect(config.listen.roleProbePort == 5001 && config.listen.sidecarPort == 8080 && config.listen.metricsPort == 9187)
        #expect(config.lease == LeaseContract())
        #expect(config.serverProbeIntervalMs == 250)
        #expect(config.peers.isEmpty)
        #expect(config.pidFile == nil)
    }

    @Test func missingFile() throws {
        #expect(throws: AgentConfigError.missing(path: "/nonexistent/agent.json")) {
            try AgentConfig.load(path: "/nonexistent/agent.json")
        }
    }

    @Test func refusesAFileOthersCanRead() throws {
        let path = try write(Self.valid, mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try AgentConfig.load(path: path)
            Issue.record("a world-readable configuration must be refused")
        } catch {
            #expect(error == .insecurePermissions(path: path, mode: 0o644))
            #expect(error.description.contains("chmod 600"))
        }
    }

    @Test func invalidJSONAndValues() throws {
        let cases: [(String, String)] = [
            ("{not json", "not valid JSON"),
            ("{\"instance\": \"db-1\"}", "missing key 'flavor'"),
            (Self.valid.replacingOccurrences(of: "\"flavor\": \"mariadb\"", with: "\"flavor\": \"oracle\""), "flavor"),
            (Self.valid.replacingOccurrences(of: "\"port\": 3306", with: "\"port\": \"x\""), "mysql.port"),
            (Self.valid.replacingOccurrences(of: "http://127.0.0.1:7000", with: "ftp://x"), "controller"),
            (Self.valid.replacingOccurrences(of: "\"leaseTimeoutMs\": 4000", with: "\"leaseTimeoutMs\": 600"), "lease:"),
            (Self.valid.replacingOccurrences(of: "\"sidecarPort\": 8080", with: "\"sidecarPort\": 5001"), "listen ports must differ"),
        ]
        for (text, expected) in cases {
            let path = try write(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try AgentConfig.load(path: path)
                Issue.record("expected an error for \(expected)")
            } catch {
                let message = error.description
                #expect(message.contains(path))
                #expect(message.contains(expected), "\(message)")
                #expect(!message.contains(Self.password) && !message.contains(Self.token))
            }
        }
    }
}
