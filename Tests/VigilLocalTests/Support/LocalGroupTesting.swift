import Foundation
import Testing
import VigilLocal
import VigilMySQL
import VigilPOSIX
import VigilTestSupport

/// Helpers for end-to-end tests of `vigil local` with the real binary: a suite has a
/// temporary `dir` and gets ports, clients, status and clean-up from here.
protocol LocalGroupTesting {
    var dir: String { get }
}

extension LocalGroupTesting {
    /// `span` consecutive ports that are free right now (a group's whole port plan: 50, or
    /// 250 with fault links).
    static func portBase(span: Int = 50) -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 30000...(32700))
            if (base..<(base + span)).allSatisfy(LoopbackPort.isFree) { return base }
        }
        return 30000
    }

    func credentials() throws -> [String: [String: String]] {
        let data = try #require(FileManager.default.contents(atPath: dir + "/credentials.json"))
        return try JSONDecoder().decode([String: [String: String]].self, from: data)
    }

    func app(port: Int) async throws -> MySQLConnection {
        let pw = try credentials()["app"]?["password"] ?? ""
        return try await MySQLConnection.connect(MySQLConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: port), user: "app", password: pw, database: "app",
            tls: .disable, connectTimeout: .seconds(5), queryTimeout: .seconds(30)))
    }

    func status() async throws -> [String: Any] {
        let out = try await VigilBinary.run(["local", "status", "--json", "--dir", dir])
        return (try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    func instances() async throws -> [[String: Any]] { (try await status()["instances"] as? [[String: Any]]) ?? [] }

    func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    func processAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    /// Live processes whose command line names `text` (e.g. a group's directory).
    func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid -> String? in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ") else { return nil }
            let cmd = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return cmd.contains(text) ? cmd : nil
        }
    }

    /// Cleanup on every path (also when an expectation failed midway): stop the supervisor
    /// and its servers by their pid files, delete the directory.
    static func forceDestroy(_ dir: String) {
        let layout = LocalLayout(root: dir)
        if let pid = LocalGroup.supervisorPID(layout) {
            kill(pid, SIGTERM)
            for _ in 0..<600 where kill(pid, 0) == 0 { usleep(100_000) }
        }
        for i in 0..<9 {
            for file in [layout.pidFile("db\(i)"), layout.agentPIDFile("db\(i)"), layout.linksPIDFile] {
                if let text = try? String(contentsOfFile: file, encoding: .utf8),
                   let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
            }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

