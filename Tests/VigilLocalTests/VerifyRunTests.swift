import Foundation
import Testing
import VigilLocal
import VigilTestSupport

/// The short `vigil verify` CI runs: a real semi-sync group with fault links, four clients
/// writing through the router, five faults (this seed draws kill -9 of the primary, a killed
/// controller, the primary cut off from replicas and controller while clients still reach it,
/// a paused primary, a switchover); it fails on any lost acknowledged write or split-brain window.
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct VerifyRunTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-verify-test-\(UUID().uuidString.prefix(8))").path

    @Test func shortVerifyUnderFaultsLosesNothing() async throws {
        let base = Self.portBase(span: 250)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = dir + "/report.json"
        let timeline = dir + "/timeline.svg"
        let historyPath = dir + "/history.json"
        let run = try await VigilBinary.run(
            ["verify", "--duration", "100s", "--faults", "kill-primary,pause-primary,partition-primary,switchover,kill-controller", "--seed", "1972",
             "--clients", "4", "--port-base", "\(base)", "--report", report, "--timeline", timeline, "--history", historyPath],
            timeout: .seconds(400))
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("verdict: PASSED"), "\(run.stdout)")
        let json = try #require(FileManager.default.contents(atPath: report))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["lostWrites"] as? [Any])?.isEmpty == true)
        #expect((object["splitBrain"] as? [Any])?.isEmpty == true)
        let counts = try #require(object["counts"] as? [String: Any])
        #expect((counts["acknowledgedWrites"] as? Int ?? 0) > 1000, "\(counts)")
        for fault in ["kill-primary", "kill-controller", "partition-primary", "pause-primary", "switchover"] {
            #expect(run.stdout.contains(" s  \(fault) ") && !run.stdout.contains("\(fault) not injected"), "\(fault) missing:\n\(run.stdout)")
        }
        // Every acknowledged write names the server and the GTID it committed under.
        let historyData = try #require(FileManager.default.contents(atPath: historyPath))
        let history = try #require(try JSONSerialization.jsonObject(with: historyData) as? [String: Any])
        let operations = try #require(history["operations"] as? [[String: Any]])
        let acknowledged = operations.filter { $0["outcome"] as? String == "ok" && ($0["op"] as? [String: Any])?["insert"] != nil }
        let withGTID = acknowledged.filter { ($0["gtid"] as? String)?.split(separator: "-").count == 3 && $0["server"] is String }
        #expect(!acknowledged.isEmpty && withGTID.count == acknowledged.count, "\(withGTID.count) of \(acknowledged.count) acknowledged writes carry a GTID")
        let svg = try String(contentsOfFile: timeline, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        // The temporary group (named on the first line) is gone, processes and directory.
        let header = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("vigil verify: seed") })
        let group = String(header.components(separatedBy: ", group ").last ?? "")
        #expect(group.hasPrefix("/"), "\(header)")
        #expect(processes(mentioning: group).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: group))
        // Keep the picture where a CI run can collect it.
        let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try? svg.write(to: artifacts.appendingPathComponent("verify-timeline.svg"), atomically: true, encoding: .utf8)
    }
}
