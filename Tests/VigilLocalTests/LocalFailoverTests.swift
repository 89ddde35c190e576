import Foundation
import Testing
import VigilLocal
import VigilMySQL
import VigilTestSupport

/// Failover and switchover end to end: a real 3-instance semi-sync group under write load,
/// the real binary, agents and router. Every acknowledged write must survive.
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct LocalFailoverTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-failover-\(UUID().uuidString.prefix(8))").path

    func instance(_ name: String) async throws -> [String: Any] {
        try #require(try await instances().first { $0["name"] as? String == name })
    }

    /// Alive and not a zombie (a killed child stays in the table until the supervisor reaps it).
    func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    func pid(_ name: String) async throws -> Int32 {
        let entry = try await instance(name)
        return try #require((entry["pid"] as? Int).map(Int32.init))
    }

    /// Starts a group with a table and a running write load; returns the load and its task.
    func startWithLoad(base: Int) async throws -> (WriteLoad, Task<Void, Never>) {
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        try #require(up.status == 0, "\(up.stderr)")
        let rw = try await app(port: base)
        try await rw.query("CREATE TABLE load_t (id INT PRIMARY KEY)")
        await rw.close()
        let load = WriteLoad(port: base, password: try credentials()["app"]?["password"] ?? "")
        let task = Task { await load.run() }
        try await eventually("the load writes") { await load.count() >= 50 }
        return (load, task)
    }

    /// Every acknowledged row is on `name` (read directly, not through the router); a replica
    /// gets a moment to apply what it received.
    func expectAllAcknowledged(_ load: WriteLoad, on name: String) async throws {
        let acked = await load.acknowledged
        let conn = try await app(port: try await instance(name)["port"] as! Int)
        defer { Task { await conn.close() } }
        var missing = Set(acked)
        let deadline = ContinuousClock.now + .seconds(30)
        while !missing.isEmpty && ContinuousClock.now < deadline {
            let rows = try await conn.query("SELECT id FROM load_t").rows.compactMap { $0[0].int.map(Int.init) }
            missing = Set(acked).subtracting(rows)
            if !missing.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(missing.isEmpty, "\(missing.count) acknowledged writes missing on \(name): \(missing.sorted().prefix(10))")
        #expect(acked.count > 50)
    }

    func newPrimary(otherThan old: String) async throws -> String {
        var found: String?
        try await eventually("a new primary other than \(old)", timeout: .seconds(60)) {
            let s = try await status()
            found = s["primary"] as? String
            return found != nil && found != old
        }
        return try #require(found)
    }

    @Test func killPrimaryUnderLoadLosesNoAcknowledgedWrite() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let (load, task) = try await startWithLoad(base: base)
        let oldPID = try await pid("db0")
        let before = await load.count()
        kill(oldPID, SIGKILL)
        let primary = try await newPrimary(otherThan: "db0")
        try await eventually("writes resume through the router") { await load.count() >= before + 100 }
        await load.stop()
        await task.value
        try await expectAllAcknowledged(load, on: primary)

        let s = try await status()
        let last = try #require(s["lastFailover"] as? [String: Any])
        #expect(last["from"] as? String == "db0")
        #expect(last["to"] as? String == primary)
        #expect((last["durationMs"] as? Int ?? 0) > 0)
        // The old primary comes back, passes the GTID check and follows the new primary.
        try await eventually("db0 rejoins as a replica", timeout: .seconds(90)) {
            try await instance("db0")["role"] as? String == "replica"
        }
        try await expectAllAcknowledged(load, on: "db0")
        // Inside the cooldown a switchover is refused with the reason; the override is recorded.
        let refused = try await VigilBinary.run(["local", "switchover", "--dir", dir])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cooldown"), "\(refused.stderr)")
        let override = try await VigilBinary.run(["local", "override-cooldown", "--dir", dir])
        #expect(override.status == 0, "\(override.stderr)")
    }

    @Test func pausedPrimaryIsFencedBeforeTheNewOneTakesWrites() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let (load, task) = try await startWithLoad(base: base)
        let oldPID = try await pid("db0")
        kill(oldPID, SIGSTOP)
        defer { kill(oldPID, SIGCONT) }
        // Watch the candidates directly: the first moment one accepts writes, the paused old
        // primary must already be unable to (its agent killed it: SQL cannot reach it).
        let admin = try credentials()["vigil_admin"]?["password"] ?? ""
        var writableSeen: String?
        try await eventually("a replica becomes writable", timeout: .seconds(60)) {
            for name in ["db1", "db2"] {
                let port = base + 10 + Int(name.dropFirst(2))!
                guard let conn = try? await MySQLConnection.connect(MySQLConfiguration(
                    endpoint: .tcp(host: "127.0.0.1", port: port), user: "vigil_admin", password: admin,
                    tls: .disable, connectTimeout: .seconds(1), queryTimeout: .seconds(1))) else { continue }
                let readOnly = try? await conn.query("SELECT @@read_only").rows.first?[0].int
                await conn.close()
                if readOnly == 0 {
                    writableSeen = name
                    return true
                }
            }
            return false
        }
        #expect(!isRunning(oldPID), "the paused old primary was still alive when \(writableSeen ?? "?") became writable")
        let primary = try await newPrimary(otherThan: "db0")
        let resumedAt = await load.count()
        try await eventually("writes resume through the router") { await load.count() >= resumedAt + 50 }
        await load.stop()
        await task.value
        try await expectAllAcknowledged(load, on: primary)
    }

    @Test func switchoverUnderLoadLosesNothingAndTheOldPrimaryFollows() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let (load, task) = try await startWithLoad(base: base)
        let unknown = try await VigilBinary.run(["local", "switchover", "--to", "db7", "--dir", dir])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("refused"), "\(unknown.stderr)")

        let result = try await VigilBinary.run(["local", "switchover", "--to", "db1", "--dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("db0 → db1"), "\(result.stdout)")
        let before = await load.count()
        try await eventually("writes continue on db1") { await load.count() >= before + 50 }
        await load.stop()
        await task.value
        try await expectAllAcknowledged(load, on: "db1")
        let s = try await status()
        #expect(s["primary"] as? String == "db1")
        try await eventually("db0 follows db1") { try await instance("db0")["role"] as? String == "replica" }
        let last = try #require(s["lastFailover"] as? [String: Any])
        #expect(last["kind"] as? String == "switchover")
        #expect(last["writeBlockedMs"] as? Int != nil)
    }
}
