import Testing
import VigilCore
import VigilEngine
import VigilMySQL
import VigilTestSupport

/// Issue 3's acceptance on three real MariaDB servers: build a group from scratch, observe
/// it, fence, promote and repoint, detect an errant transaction, and time out a GTID wait.
@Suite(
    "Engine operations on real MariaDB",
    .enabled(if: MariaDBServer.isAvailable, "mariadbd not installed: run scripts/lib/ensure-deps.sh"),
    .timeLimit(.minutes(2)))
struct ReplicationIntegrationTests {
    @Test("build a lossless semi-sync group from scratch and observe it")
    func buildAndObserve() async throws {
        try await Harness.withMembers(count: 3) { members in
            let accounts = AccountRequest.generated(hosts: ["127.0.0.1", "localhost"])
            try await Harness.buildGroup(members, accounts: accounts)
            let primary = members[0]
            try await primary.sql("CREATE DATABASE app")
            try await primary.sql("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))")
            try await primary.sql("INSERT INTO app.t VALUES (1, 'one'), (2, 'two')")

            let primaryView = try await primary.ops.observe()
            #expect(primaryView.roleHint == .primary)
            #expect(primaryView.flavor == .mariadb)
            #expect(primaryView.serverID == 1)
            #expect(primaryView.readOnly == false)
            #expect(primaryView.replica == nil)
            #expect(primaryView.uptimeSeconds != nil)
            #expect(primaryView.version?.contains("MariaDB") == true)
            let semiSync = try #require(primaryView.semiSync)
            #expect(semiSync.sourceEnabled && semiSync.sourceActive == true)
            #expect(semiSync.waitPoint == .afterSync)
            #expect(semiSync.clients == 2)
            let executed = try #require(primaryView.executedGTIDs)
            #expect(!executed.isEmpty)

            for replica in members.dropFirst() {
                // Semi-sync acknowledged receipt; applying may still be under way.
                try await replica.ops.waitForGTIDs(executed, timeout: .seconds(10))
                let view = try await replica.ops.observe()
                #expect(view.roleHint == .replica)
                #expect(view.readOnly == true)
                let status = try #require(view.replica)
                #expect(status.isReplicating)
                #expect(status.sourceHost == primary.server.host && status.sourcePort == primary.server.port)
                #expect(status.usingGTID)
                #expect(status.lastIOError == nil && status.lastSQLError == nil)
                #expect(view.semiSync?.replicaEnabled == true && view.semiSync?.replicaActive == true)
                #expect(view.executedGTIDs?.contains(executed) == true)
                #expect(view.retrievedGTIDs?.contains(executed) == true)
                let errant = try #require(try view.executedGTIDs?.errant(relativeTo: executed))
                #expect(errant.isEmpty)
                #expect(try await replica.scalar("SELECT COUNT(*) FROM app.t") == "2")
                // Accounts were created unlogged: they add no GTIDs of the replica's own.
                #expect(view.executedGTIDs == primaryView.executedGTIDs)
            }

            // The probe account can observe, and nothing more.
            let probeSession = try await Harness.connect(
                primary.server, user: SystemAccount.probe.user, password: accounts.passwords[.probe]!)
            let probe = try await InstanceOperations.detect(instance: "db-0 as probe", session: probeSession, logger: Harness.logger)
            let probed = try await members[1].ops.observe()
            #expect(try await probe.observe().executedGTIDs == primaryView.executedGTIDs)
            #expect(probed.replica != nil)
            do throws(EngineError) {
                try await probe.fence(reason: "probe must not fence")
                Issue.record("the probe account could fence")
            } catch {
                #expect(error.isPermissionDenied, "\(error)")
                #expect(error.instance == "db-0 as probe")
            }
            await probeSession.close()

            // Idempotent: a second run changes nothing and fails nothing.
            try await primary.ops.ensureSystemAccounts(accounts)
            #expect(try await primary.ops.observe().executedGTIDs == primaryView.executedGTIDs)
        }
    }

    @Test("fence: writes are refused with 1290 and client sessions are ended")
    func fence() async throws {
        try await Harness.withMembers(count: 1) { members in
            let db = members[0]
            let accounts = AccountRequest.generated(hosts: ["127.0.0.1"])
            try await db.ops.ensureSystemAccounts(accounts)
            try await db.ops.promote()
            try await db.sql("CREATE DATABASE app")
            try await db.sql("CREATE TABLE app.t (id INT PRIMARY KEY)")
            try await db.sql("CREATE USER app@'127.0.0.1' IDENTIFIED BY 'app-password'")
            try await db.sql("GRANT ALL ON app.* TO app@'127.0.0.1'")

            let app = try await Harness.connect(db.server, user: "app", password: "app-password")
            try await app.query("INSERT INTO app.t VALUES (1)")
            let vigil = try await Harness.connect(
                db.server, user: SystemAccount.monitor.user, password: accounts.passwords[.monitor]!)

            let report = try await db.ops.fence(reason: "integration test")
            #expect(report.killed.contains { $0.user == "app" })
            #expect(!report.killed.contains { $0.user.hasPrefix("vigil_") })
            #expect(try await db.ops.observe().readOnly == true)

            // The killed session is gone (the server closed it); a new one may read but not write.
            try await Harness.eventually("the killed session is closed") { app.isClosed }
            let again = try await Harness.connect(db.server, user: "app", password: "app-password")
            #expect(try await again.query("SELECT COUNT(*) FROM app.t").rows.first?.string(0) == "1")
            do throws(MySQLError) {
                try await again.query("INSERT INTO app.t VALUES (2)")
                Issue.record("a fenced instance accepted a write")
            } catch {
                #expect(error.serverError?.code == 1290, "\(error)")
            }
            await again.close()
            // Vigil's own sessions survive fencing.
            #expect(try await vigil.query("SELECT 1").rows.first?.string(0) == "1")
            await vigil.close()
        }
    }

    @Test("fence does not hang behind commits waiting for a semi-sync acknowledgement")
    func fenceWithStuckCommits() async throws {
        try await Harness.withMembers(count: 1) { members in
            let db = members[0]
            try await db.ops.promote()
            try await db.sql("CREATE DATABASE app")
            try await db.sql("CREATE TABLE app.t (id INT PRIMARY KEY)")
            try await db.sql("CREATE USER app@'127.0.0.1' IDENTIFIED BY 'app-password'")
            try await db.sql("GRANT ALL ON app.* TO app@'127.0.0.1'")
            // Lossless semi-sync without a replica: every commit waits for an ack forever.
            // (enableSemiSyncSource refuses a group of one, so set it by hand here.)
            try await db.sql("SET GLOBAL rpl_semi_sync_master_timeout = 4294967295")
            try await db.sql("SET GLOBAL rpl_semi_sync_master_enabled = ON")
            let app = try await Harness.connect(db.server, user: "app", password: "app-password")
            let stuck = Task { try await app.query("INSERT INTO app.t VALUES (1)") }
            try await Harness.eventually("the insert waits for an acknowledgement") {
                try await db.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app' AND STATE LIKE '%semi-sync%'") == "1"
            }
            let report = try await db.ops.fence(reason: "primary lost its replicas")
            #expect(report.killed.map(\.user) == ["app"])
            #expect(try await db.ops.observe().readOnly == true)
            // The client saw an error, never a success: nothing acknowledged can be lost.
            await #expect(throws: (any Error).self) { try await stuck.value }
            #expect(app.isClosed)
        }
    }

    @Test("promote a replica and repoint the others, the old primary included")
    func promoteAndRepoint() async throws {
        try await Harness.withMembers(count: 3) { members in
            let accounts = AccountRequest.generated(hosts: ["127.0.0.1", "localhost"])
            try await Harness.buildGroup(members, accounts: accounts)
            let (old, new, other) = (members[0], members[1], members[2])
            try await old.sql("CREATE DATABASE app")
            try await old.sql("CREATE TABLE app.t (id INT PRIMARY KEY)")
            try await old.sql("INSERT INTO app.t VALUES (1), (2), (3)")

            // Switchover: fence, let the candidate catch up, promote, repoint.
            try await old.ops.fence(reason: "switchover to \(new.name)")
            let final = try #require(try await old.ops.observe().executedGTIDs)
            try await new.ops.waitForGTIDs(final, timeout: .seconds(10))
            try await new.ops.stopIOThread()
            let drain = try await new.ops.drainRelayLog(timeout: .seconds(10))
            #expect(drain.drained)
            #expect(drain.executed.contains(final))
            // Lossless: semi-sync is on before writes are possible; they wait for a replica.
            try await new.ops.promote(semiSyncGroupSize: 3)
            try await old.ops.disableSemiSyncSource()

            let credentials = ReplicationCredentials(user: SystemAccount.replication.user,
                                                     password: accounts.passwords[.replication]!)
            for replica in [old, other] {
                try await replica.ops.repoint(to: new.source, credentials: credentials, options: RepointOptions(semiSync: true))
            }
            for replica in [old, other] {
                try await Harness.eventually("\(replica.name) follows \(new.name)") {
                    try await replica.ops.observe().replica?.ioThread == .yes
                }
            }
            try await Harness.eventually("\(new.name) has two semi-sync replicas") {
                try await new.ops.observe().semiSync?.clients == 2
            }

            try await new.sql("INSERT INTO app.t VALUES (4)")
            let newView = try await new.ops.observe()
            #expect(newView.roleHint == .primary)
            #expect(newView.replica == nil)
            let executed = try #require(newView.executedGTIDs)
            for replica in [old, other] {
                try await replica.ops.waitForGTIDs(executed, timeout: .seconds(10))
                let view = try await replica.ops.observe()
                #expect(view.roleHint == .replica)
                #expect(view.replica?.sourcePort == new.server.port)
                #expect(view.replica?.isReplicating == true)
                #expect(view.replica?.lastSQLError == nil)
                #expect(try await replica.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM app.t") == "1,2,3,4")
                #expect(try view.executedGTIDs?.errant(relativeTo: executed).isEmpty == true)
            }
            let oldView = try await old.ops.observe()
            #expect(oldView.semiSync?.sourceEnabled == false)
        }
    }

    @Test("an errant transaction written on a replica is detected")
    func errantTransaction() async throws {
        try await Harness.withMembers(count: 3) { members in
            try await Harness.buildGroup(members, accounts: .generated(hosts: ["127.0.0.1"]))
            let (primary, clean, dirty) = (members[0], members[1], members[2])
            try await primary.sql("CREATE DATABASE app")
            try await primary.sql("CREATE TABLE app.t (id INT PRIMARY KEY)")
            try await primary.sql("INSERT INTO app.t VALUES (1)")
            let executed = try #require(try await primary.ops.observe().executedGTIDs)
            try await dirty.ops.waitForGTIDs(executed, timeout: .seconds(10))
            try await clean.ops.waitForGTIDs(executed, timeout: .seconds(10))

            // read_only does not stop an account with READ ONLY ADMIN (ALL PRIVILEGES):
            // exactly the kind of write that makes a replica diverge.
            try await dirty.sql("INSERT INTO app.t VALUES (100)")

            let primaryGTIDs = try #require(try await primary.ops.observe().executedGTIDs)
            let dirtyGTIDs = try #require(try await dirty.ops.observe().executedGTIDs)
            let cleanGTIDs = try #require(try await clean.ops.observe().executedGTIDs)
            #expect(try cleanGTIDs.errant(relativeTo: primaryGTIDs).isEmpty)
            let errant = try dirtyGTIDs.errant(relativeTo: primaryGTIDs)
            guard case .mariadb(let position) = errant, let gtid = position[domain: 0] else {
                Issue.record("no errant GTID found: \(dirtyGTIDs) vs \(primaryGTIDs)")
                return
            }
            #expect(gtid.serverID == 3)  // written by the replica itself
            #expect(!primaryGTIDs.contains(dirtyGTIDs))
        }
    }

    @Test("waiting for GTIDs a replica does not get times out with a clear error")
    func waitTimesOut() async throws {
        try await Harness.withMembers(count: 2) { members in
            try await Harness.buildGroup(members, accounts: .generated(hosts: ["127.0.0.1"]))
            let (primary, replica) = (members[0], members[1])
            try await primary.sql("CREATE DATABASE app")
            let before = try #require(try await primary.ops.observe().executedGTIDs)
            try await replica.ops.waitForGTIDs(before, timeout: .seconds(10))
            // Stop applying (the IO thread keeps acknowledging, so the primary's commit returns).
            try await replica.sql("STOP SLAVE SQL_THREAD")
            try await primary.sql("CREATE TABLE app.t (id INT PRIMARY KEY)")
            let wanted = try #require(try await primary.ops.observe().executedGTIDs)

            let clock = ContinuousClock()
            let started = clock.now
            do throws(EngineError) {
                try await replica.ops.waitForGTIDs(wanted, timeout: .milliseconds(500))
                Issue.record("the wait succeeded")
            } catch {
                let waited = clock.now - started
                #expect(waited >= .milliseconds(450) && waited < .seconds(5), "waited \(waited)")
                guard case .gtidWaitTimedOut(let w, let had, let timeout) = error.reason else {
                    Issue.record("wrong reason: \(error)")
                    return
                }
                #expect(w == wanted)
                #expect(had == before)
                #expect(timeout == .milliseconds(500))
                #expect(error.instance == "db-1")
                #expect(error.applied.isEmpty)
                #expect("\(error)".contains("db-1: wait for GTIDs failed"))
                #expect("\(error)".contains("did not reach GTIDs \(wanted) within 0.5s; it had executed \(before)"))
            }
            // A drain with the SQL thread stopped reports, rather than throws.
            let drain = try await replica.ops.drainRelayLog(timeout: .milliseconds(200))
            #expect(!drain.drained)
            #expect(drain.retrieved?.contains(wanted) == true)
            try await replica.sql("START SLAVE SQL_THREAD")
            let drained = try await replica.ops.drainRelayLog(timeout: .seconds(10))
            #expect(drained.drained)
        }
    }

    @Test("a refused statement names the instance and the statement")
    func refusedStatement() async throws {
        try await Harness.withMembers(count: 1) { members in
            let db = members[0]
            // No replication configured: starting the IO thread is refused (1200).
            do throws(EngineError) {
                try await db.ops.enableSemiSyncReplica()
                try await db.ops.startReplication()
                Issue.record("START SLAVE without a source succeeded")
            } catch {
                #expect(error.instance == "db-0")
                #expect(error.statement == "START SLAVE")
                #expect(error.serverError?.code == 1200)
            }
            // Lossless semi-sync without a connected replica would block every commit.
            do throws(EngineError) {
                try await db.ops.enableSemiSyncSource(groupSize: 3)
                Issue.record("semi-sync enabled without replicas")
            } catch {
                #expect(error.statement == "SHOW SLAVE HOSTS")
                #expect(error.applied.isEmpty)
            }
            let semiSync = try await db.ops.observe().semiSync
            #expect(semiSync?.sourceEnabled == false)
        }
    }
}
