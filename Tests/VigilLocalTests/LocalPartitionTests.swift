import Foundation
import Testing
import VigilLocal
import VigilMySQL
import VigilTestSupport

/// Partitions through the fault links, and a killed controller, end to end: the real binary,
/// a 3-instance semi-sync group with `--fault-links`, a write load through the router.
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct LocalPartitionTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-partition-\(UUID().uuidString.prefix(8))").path

    func up(base: Int) async throws {
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)", "--fault-links"])
        try #require(up.status == 0, "\(up.stderr)")
        let rw = try await app(port: base)
        try await rw.query("CREATE TABLE load_t (id INT PRIMARY KEY)")
        await rw.close()
    }

    /// An admin session straight to a server's own port (not through any link).
    func admin(_ base: Int, _ index: Int) async throws -> MySQLConnection {
        try await MySQLConnection.connect(MySQLConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: base + 10 + index), user: "vigil_admin",
            password: try credentials()["vigil_admin"]?["password"] ?? "", tls: .disable,
            connectTimeout: .seconds(2), queryTimeout: .seconds(2)))
    }

    func readOnly(_ base: Int, _ index: Int) async -> Bool? {
        guard let conn = try? await admin(base, index) else { return nil }
        defer { Task { await conn.close() } }
        return (try? await conn.query("SELECT @@read_only").rows.first?[0].int).map { $0 == 1 }
    }

    func rows(_ base: Int, _ index: Int) async throws -> Set<Int> {
        let conn = try await admin(base, index)
        defer { Task { await conn.close() } }
        return Set(try await conn.query("SELECT id FROM app.load_t").rows.compactMap { $0[0].int.map(Int.init) })
    }

    @Test func aPrimaryCutOffFromEverythingFencesItselfAndAReplicaTakesOver() async throws {
        let base = Self.portBase(span: 250)
        defer { Self.forceDestroy(dir) }
        try await up(base: base)
        let load = WriteLoad(port: base, password: try credentials()["app"]?["password"] ?? "")
        let task = Task { await load.run() }
        try await eventually("the load writes") { await load.count() >= 50 }

        let cut = ContinuousClock.now
        let partition = try await VigilBinary.run(["local", "chaos", "partition-primary", "--dir", dir])
        try #require(partition.status == 0, "\(partition.stderr)")
        #expect(partition.stdout.contains("partitioned db0"))
        // The agent hears neither the controller nor a peer: it fences its own server within
        // the lease (10 s) plus a second. Read straight from the server, past the links.
        try await eventually("db0 refuses writes", timeout: .seconds(11)) { await readOnly(base, 0) == true }
        let fencedAfter = ContinuousClock.now - cut
        #expect(fencedAfter <= .seconds(11), "fenced after \(fencedAfter)")

        var primary: String?
        try await eventually("a replica is promoted") {
            primary = try await status()["primary"] as? String
            return primary == "db1" || primary == "db2"
        }
        let promoted = try #require(primary)
        let before = await load.count()
        try await eventually("writes resume through the router") { await load.count() >= before + 50 }

        let heal = try await VigilBinary.run(["local", "chaos", "heal", "--dir", dir])
        #expect(heal.status == 0 && heal.stdout.contains("every link healed"), "\(heal.stdout) \(heal.stderr)")
        await load.stop()
        await task.value
        // Nothing acknowledged is lost, and the old primary comes back as a replica (or,
        // holding an unacknowledged write of its own, quarantined) and never as a writer.
        let acknowledged = Set(await load.acknowledged)
        try await eventually("the new primary holds every acknowledged write") {
            try await rows(base, Int(promoted.dropFirst(2))!).isSuperset(of: acknowledged)
        }
        try await eventually("db0 rejoins or is quarantined", timeout: .seconds(90)) {
            let db0 = try await instances().first { $0["name"] as? String == "db0" }
            return db0?["role"] as? String == "replica" || db0?["quarantinedErrantGTIDs"] is String
        }
        #expect(await readOnly(base, 0) == true)
    }

    @Test func aPrimaryCutOffFromTheControllerAloneKeepsServing() async throws {
        let base = Self.portBase(span: 250)
        defer { Self.forceDestroy(dir) }
        try await up(base: base)
        let term = try #require((try await status()["controller"] as? [String: Any])?["term"] as? Int)
        let load = WriteLoad(port: base, password: try credentials()["app"]?["password"] ?? "")
        let task = Task { await load.run() }
        try await eventually("the load writes") { await load.count() >= 50 }

        // The replicas still see the primary, so they do not agree it is gone, and its agent
        // renews its lease through its peers: no failover, no fence, writes go on.
        let partition = try await VigilBinary.run(["chaos", "partition-primary", "--from", "controller", "--dir", dir])
        try #require(partition.status == 0, "\(partition.stderr)")
        let during = await load.count()
        try await Task.sleep(for: .seconds(15))  // past the lease and the controller's wait: nothing may happen
        #expect(await load.count() > during + 100, "writes stalled while only the controller was cut off")
        #expect(await readOnly(base, 0) == false)
        let heal = try await VigilBinary.run(["chaos", "heal", "--dir", dir])
        #expect(heal.status == 0)
        await load.stop()
        await task.value
        let after = try await status()
        #expect(after["primary"] as? String == "db0")
        #expect((after["controller"] as? [String: Any])?["term"] as? Int == term, "a new term means a failover happened")
        #expect(after["lastFailover"] == nil)
    }

    @Test func aKilledControllerLeavesTheGroupRunningAndANewOneTakesItOver() async throws {
        let base = Self.portBase(span: 250)
        defer { Self.forceDestroy(dir) }
        try await up(base: base)
        let before = try await status()
        let controller = try #require(before["controller"] as? [String: Any])
        let term = try #require(controller["term"] as? Int)
        let serverPIDs = try await instances().compactMap { $0["pid"] as? Int }
        #expect(serverPIDs.count == 3)

        // Bad chaos input is a usage error (exit 2) and changes nothing.
        for bad in [["bogus"], ["partition-primary", "--from", "nowhere"], ["partition-primary", "--link-fault", "drop"],
                    ["kill-site", "zz"], ["kill-site", "a", "--target", "a"]] {
            let run = try await VigilBinary.run(["chaos", "--dir", dir] + bad)
            #expect(run.status == 2, "\(bad): \(run.status) \(run.stderr)")
        }
        #expect(Set(try await instances().compactMap { $0["pid"] as? Int }) == Set(serverPIDs))

        let kill = try await VigilBinary.run(["chaos", "kill-controller", "--dir", dir])
        try #require(kill.status == 0, "\(kill.stderr)")
        #expect(LocalGroup.supervisorPID(LocalLayout(root: dir)) == nil)
        // Without its controller the group carries on: the primary stays writable (its peers
        // vouch for it) and replication still flows through the links process.
        try await Task.sleep(for: .seconds(12))  // longer than the lease: a lost vouch would fence by now
        #expect(await readOnly(base, 0) == false)
        let direct = try await admin(base, 0)
        try await direct.query("INSERT INTO app.load_t (id) VALUES (1)")
        await direct.close()
        try await eventually("the write reaches a replica", timeout: .seconds(10)) { try await rows(base, 1).contains(1) }

        let resumed = try await VigilBinary.run(["local", "up", "--dir", dir])
        try #require(resumed.status == 0, "\(resumed.stderr)")
        let after = try await status()
        #expect(after["primary"] as? String == "db0")
        #expect((after["controller"] as? [String: Any])?["term"] as? Int == term, "a new term means a failover happened")
        #expect(after["lastFailover"] == nil)
        // The same servers, taken over rather than restarted.
        #expect(Set(try await instances().compactMap { $0["pid"] as? Int }) == Set(serverPIDs))
        let rw = try await app(port: base)
        try await rw.query("INSERT INTO load_t (id) VALUES (2)")
        await rw.close()

        // Destroy stops everything, adopted processes included.
        let destroy = try await VigilBinary.run(["local", "destroy", "--yes", "--dir", dir])
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(processes(mentioning: dir).isEmpty)
    }
}
