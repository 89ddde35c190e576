import Foundation
import NIOCore
import Testing
import VigilLocal
import VigilMySQL
import VigilPOSIX
import VigilTestSupport

/// End to end: the real `vigil` binary runs real MariaDB groups in temporary directories.
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct LocalGroupTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-local-\(UUID().uuidString.prefix(8))").path

    @Test func upWriteReadKillReplicaDownUpDestroy() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("read-write  127.0.0.1:\(base)"))
        let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/credentials.json")
        #expect((attrs[.posixPermissions] as? Int) == 0o600)

        let s = try await status()
        #expect(s["primary"] as? String == "db0")
        #expect((s["router"] as? [String: Any])?["readWrite"] as? String == "127.0.0.1:\(base)")
        let first = try await instances()
        #expect(first.count == 3)

        // A row written through the read-write port reaches every instance.
        let rw = try await app(port: base)
        try await rw.query("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
        try await rw.query("INSERT INTO t VALUES (1, 'hello')")
        for instance in first {
            let conn = try await app(port: instance["port"] as! Int)
            try await eventually("row on \(instance["name"]!)") {
                try await conn.query("SELECT v FROM t WHERE id = 1").rows.first?.string(0) == "hello"
            }
            await conn.close()
        }
        // The read-only port serves replicas, and they refuse writes.
        let ro = try await app(port: base + 1)
        let servedBy = try await ro.query("SELECT @@port").rows[0][0].int
        #expect(servedBy != Int64(base + 10))
        await #expect(throws: MySQLError.self) { try await ro.query("INSERT INTO t VALUES (2, 'no')") }
        await ro.close()

        // kill -9 a replica: restarted, and it catches up on what was written meanwhile.
        let victim = try #require(first.first { $0["name"] as? String == "db1" })
        let victimPID = try #require(victim["pid"] as? Int32 ?? (victim["pid"] as? Int).map(Int32.init))
        kill(victimPID, SIGKILL)
        try await rw.query("INSERT INTO t VALUES (3, 'while-down')")
        try await eventually("db1 restarted and healthy") {
            let db1 = try await instances().first { $0["name"] as? String == "db1" }
            let pid = (db1?["pid"] as? Int).map(Int32.init)
            return pid != nil && pid != victimPID && db1?["healthy"] as? Bool == true && (db1?["restarts"] as? Int ?? 0) >= 1
        }
        let db1 = try await app(port: victim["port"] as! Int)
        try await eventually("db1 caught up") {
            try await db1.query("SELECT COUNT(*) FROM t").rows[0][0].int == 2
        }
        await db1.close()
        await rw.close()

        // down keeps the data; up resumes it.
        let pids = try await instances().compactMap { ($0["pid"] as? Int).map(Int32.init) }
        let down = try await VigilBinary.run(["local", "down", "--dir", dir])
        #expect(down.status == 0)
        #expect(pids.allSatisfy { !processAlive($0) })
        let again = try await VigilBinary.run(["local", "up", "--dir", dir])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("resumed"))
        let rw2 = try await app(port: base)
        #expect(try await rw2.query("SELECT COUNT(*) FROM t").rows[0][0].int == 2)
        try await rw2.query("INSERT INTO t VALUES (4, 'after-up')")
        await rw2.close()

        // destroy leaves no process and no directory.
        let last = try await instances().compactMap { ($0["pid"] as? Int).map(Int32.init) }
        let destroy = try await VigilBinary.run(["local", "destroy", "--yes", "--dir", dir])
        #expect(destroy.status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(last.allSatisfy { !processAlive($0) })
        #expect(processes(mentioning: dir).isEmpty)
    }

    @Test func restartedReplicaWithErrantWritesIsQuarantined() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        #expect(up.status == 0, "\(up.stderr)")
        let rw = try await app(port: base)
        try await rw.query("CREATE TABLE t (id INT PRIMARY KEY)")
        // An administrator writes on replica db2 directly (root bypasses read_only on MariaDB).
        let rootPW = try credentials()["root"]?["password"] ?? ""
        let db2Port = base + 12
        let root = try await MySQLConnection.connect(MySQLConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: db2Port), user: "root", password: rootPW, tls: .disable))
        try await eventually("table replicated to db2") {
            try await root.query("SELECT COUNT(*) FROM app.t").rows.count == 1
        }
        try await root.query("INSERT INTO app.t VALUES (99)")
        await root.close()
        let db2 = try #require(try await instances().first { $0["name"] as? String == "db2" })
        // A clean restart (SIGTERM; the supervisor starts it again). After a crash, MariaDB's
        // recovery with init_rpl_role=SLAVE would truncate the unacknowledged binlog tail instead.
        kill(Int32(db2["pid"] as! Int), SIGTERM)
        try await eventually("db2 restarted and quarantined") {
            let now = try await instances().first { $0["name"] as? String == "db2" }
            return (now?["restarts"] as? Int ?? 0) >= 1 && now?["quarantinedErrantGTIDs"] as? String != nil
        }
        let now = try #require(try await instances().first { $0["name"] as? String == "db2" })
        #expect(now["role"] as? String == "fenced")
        #expect(now["healthy"] as? Bool == false)
        let router = try #require(try await status()["router"] as? [String: Any])
        #expect((router["readOnlyTargets"] as? [String]) == ["db1"])
        // It is never made writable: the primary stays db0, db2 refuses application writes.
        #expect(try await status()["primary"] as? String == "db0")
        let appOnDB2 = try await app(port: db2Port)
        await #expect(throws: MySQLError.self) { try await appOnDB2.query("INSERT INTO t VALUES (100)") }
        await appOnDB2.close()

        // The way back: a fresh copy of the primary's data. The primary cannot be rebuilt.
        let refused = try await VigilBinary.run(["local", "rebuild", "--dir", dir, "db0"])
        #expect(refused.status == 1 && refused.stderr.contains("primary"), "\(refused.stderr)")
        let rebuild = try await VigilBinary.run(["local", "rebuild", "--dir", dir, "db2"])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stdout.contains("rebuilt db2 from db0"))
        try await rw.query("INSERT INTO t VALUES (3)")
        try await eventually("db2 rejoins as a healthy replica without its own write") {
            let db2 = try await instances().first { $0["name"] as? String == "db2" }
            guard db2?["role"] as? String == "replica", db2?["healthy"] as? Bool == true, db2?["quarantinedErrantGTIDs"] == nil else { return false }
            let conn = try await MySQLConnection.connect(MySQLConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: db2Port), user: "root", password: rootPW, tls: .disable))
            defer { Task { await conn.close() } }
            let ids = try await conn.query("SELECT id FROM app.t ORDER BY id").rows.compactMap { $0[0].int }
            return ids == [3]
        }
        // The admin password went to mariadb-backup through a 0600 file, now gone, never an argument or a log line.
        let adminPW = try credentials()["vigil_admin"]?["password"] ?? ""
        let rebuildLog = try String(contentsOfFile: dir + "/instances/db2/rebuild.log", encoding: .utf8)
        #expect(!adminPW.isEmpty && !rebuildLog.contains(adminPW))
        #expect(!FileManager.default.fileExists(atPath: dir + "/instances/db2/rebuild.cnf"))
        await rw.close()
    }

    @Test func badInputChangesNothing() async throws {
        let base = Self.portBase()
        // --instances 0: usage error, nothing created.
        let zero = try await VigilBinary.run(["local", "up", "--dir", dir, "--instances", "0", "--port-base", "\(base)"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--instances"))
        #expect(!FileManager.default.fileExists(atPath: dir))

        // Durations take units; a bad one is a usage error before anything starts.
        for bad in [["verify", "--duration", "5s"], ["verify", "--duration", "soon"], ["verify", "--duration", "-2m"],
                    ["verify", "--faults", "partition-everything"], ["chaos", "pause-primary", "--for", "0s", "--dir", dir]] {
            let run = try await VigilBinary.run(bad)
            #expect(run.status == 2, "\(bad): \(run.status) \(run.stderr)")
        }
        let verifyHelp = try await VigilBinary.run(["verify", "--help"])
        #expect(verifyHelp.stdout.contains("120s"))
        #expect(!FileManager.default.fileExists(atPath: dir))

        // Missing server binary: says how to install it.
        let missing = try await VigilBinary.run(["local", "up", "--dir", dir, "--mysqld", "/nonexistent/mariadbd", "--port-base", "\(base)"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("apt-get install mariadb-server"))
        #expect(!FileManager.default.fileExists(atPath: dir))

        // A port in use.
        let holder = try LoopbackPort.listen(base + 11)
        defer { close(holder) }
        let busy = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("\(base + 11)") && busy.stderr.contains("in use"))
        #expect(!FileManager.default.fileExists(atPath: dir))

        // A directory holding something else is left alone.
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "precious".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let other = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base + 100)"])
        #expect(other.status == 2)
        #expect(other.stderr.contains("something else"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.txt"])
        let noDestroy = try await VigilBinary.run(["local", "destroy", "--yes", "--dir", dir])
        #expect(noDestroy.status == 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/notes.txt"))

        // A corrupt state file: clear error, file unchanged.
        try FileManager.default.removeItem(atPath: dir + "/notes.txt")
        try "{not json".write(toFile: dir + "/state.json", atomically: true, encoding: .utf8)
        let corrupt = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base + 100)"])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("corrupt"))
        #expect(try String(contentsOfFile: dir + "/state.json", encoding: .utf8) == "{not json")
    }

    @Test func failedUpLeavesNoProcesses() async throws {
        let base = Self.portBase()
        // A "server" that exits at once: up must fail, stop what it started and remove the new directory.
        let fake = FileManager.default.temporaryDirectory.appendingPathComponent("fake-mariadbd-\(UUID())").path
        try "#!/bin/sh\necho 'fake server refuses to start' >&2\nexit 1\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        defer { try? FileManager.default.removeItem(atPath: fake) }
        let out = try await VigilBinary.run(["local", "up", "--dir", dir, "--mysqld", fake, "--port-base", "\(base)"])
        #expect(out.status == 1)
        #expect(out.stderr.contains("up failed"))
        #expect(!FileManager.default.fileExists(atPath: dir))
        let leftovers = try await VigilBinary.run(["local", "status", "--dir", dir])
        #expect(leftovers.status == 1)
        #expect(processes(mentioning: dir).isEmpty)
    }
}


/// The agents' endpoints as a user reaches them: `curl` against every URL `status --json` lists.
@Suite(.enabled(if: MariaDBServer.isAvailable, "mariadbd not found: apt-get install mariadb-server"))
struct LocalAgentEndpointTests: LocalGroupTesting {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-agents-\(UUID().uuidString.prefix(8))").path

    func curl(_ arguments: [String]) async throws -> VigilBinary.Output {
        try await VigilBinary.runExecutable("/usr/bin/curl", ["-sS", "--max-time", "5"] + arguments)
    }

    @Test func everyAgentEndpointAnswersAndMutationsNeedTheToken() async throws {
        let base = Self.portBase()
        defer { Self.forceDestroy(dir) }
        let up = try await VigilBinary.run(["local", "up", "--dir", dir, "--port-base", "\(base)"])
        try #require(up.status == 0, "\(up.stderr)")
        for instance in try await instances() {
            let name = try #require(instance["name"] as? String)
            let urls = try #require(instance["urls"] as? [String: String], "\(name) has no urls")
            let expectedRole = name == "db0" ? "primary" : "replica"

            let role = try await curl([try #require(urls["role"])])
            let roleJSON = try JSONSerialization.jsonObject(with: Data(role.stdout.utf8)) as? [String: Any]
            #expect(roleJSON?["role"] as? String == expectedRole, "\(name): \(role.stdout)")
            #expect(roleJSON?["observedAt"] is String)

            let statusURL = try #require(urls["status"])
            let status = try JSONSerialization.jsonObject(with: Data(try await curl([statusURL]).stdout.utf8)) as? [String: Any]
            #expect(status?["instance"] as? String == name)
            // The primary's agent lifted its start-up fence on the word; replicas' agents keep theirs.
            #expect(status?["fence"] as? String == (name == "db0" ? "unfenced" : "fenced"), "\(name): \(status ?? [:])")
            let sidecar = String(statusURL.dropLast("/status".count))
            let health = try await curl([sidecar + "/health"])
            #expect(health.stdout.contains("\"agent\":\"ok\""), "\(health.stdout)")
            let ping = try await curl(["-i", sidecar + "/peer/ping"])
            #expect(ping.stdout.lowercased().contains("x-vigil-signature:"), "\(ping.stdout)")

            let metrics = try await curl([try #require(urls["metrics"])])
            let samples = try PrometheusText.parse(metrics.stdout)
            #expect(samples.contains { $0.name == "mysql_up" && $0.value == 1 }, "\(name): no mysql_up 1")
            #expect(PrometheusText.value(in: metrics.stdout, name: "vigil_instance_role", labels: ["role": expectedRole]) == 1)

            // Mutating calls without the token: 401, nothing changes.
            for path in ["/v1/fence", "/v1/unfence", "/v1/poke"] {
                let denied = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", sidecar + path])
                #expect(denied.stdout == "401", "\(name) \(path): \(denied.stdout)")
                let wrong = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                            "-H", "Authorization: Bearer not-the-token", sidecar + path])
                #expect(wrong.stdout == "401", "\(name) \(path) with a wrong token: \(wrong.stdout)")
            }
        }
        // The primary still takes writes through the router after all those attempts.
        let rw = try await app(port: base)
        try await rw.query("CREATE TABLE still_writable (id INT PRIMARY KEY)")
        try await rw.query("INSERT INTO still_writable VALUES (1)")
        await rw.close()
        // The controller: health, status, and heartbeats refused without the token.
        #expect(try await curl(["http://127.0.0.1:\(base + 2)/healthz"]).stdout == "ok\n")
        let beat = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "{}",
                                   "http://127.0.0.1:\(base + 2)/v1/heartbeat"])
        #expect(beat.stdout == "401")
        let switchover = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "{}",
                                         "http://127.0.0.1:\(base + 2)/v1/switchover"])
        #expect(switchover.stdout == "401")
        #expect(try await status()["primary"] as? String == "db0")
    }
}
