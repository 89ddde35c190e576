import Testing
import VigilCore
import VigilMySQL
@testable import VigilEngine

/// The MySQL dialect's statements, exactly as sent, through a scripted session.
@Suite("MySQL dialect")
struct MySQLDialectTests {
    let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"

    func ops(_ session: FakeSession) -> InstanceOperations {
        InstanceOperations(instance: "db-1", session: session, dialect: MySQLDialect())
    }

    @Test("observe reads globals, replica status and semi-sync, and maps them")
    func observe() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "11", "server_uuid": uuid, "version": "8.4.3", "read_only": "1",
            "super_read_only": "1", "gtid_executed": "\(uuid):1-10,\n\(uuid):tagged:1-2",
        ]))
        await session.on("SHOW REPLICA STATUS", reply: .row([
            "Replica_IO_Running": "Connecting", "Replica_SQL_Running": "Yes", "Source_Host": "10.0.0.5",
            "Source_Port": "3306", "Seconds_Behind_Source": nil, "Last_IO_Error": "error connecting to source",
            "Last_SQL_Error": "", "Auto_Position": "1", "Retrieved_Gtid_Set": "\(uuid):5-12",
        ]))
        await session.on("SELECT VARIABLE_NAME", reply: .table(["VARIABLE_NAME", "VARIABLE_VALUE"], [
            ["rpl_semi_sync_source_enabled", "OFF"], ["rpl_semi_sync_replica_enabled", "ON"],
            ["rpl_semi_sync_source_wait_point", "AFTER_SYNC"], ["rpl_semi_sync_source_wait_for_replica_count", "1"],
            ["Rpl_semi_sync_replica_status", "ON"], ["Rpl_semi_sync_source_clients", "0"], ["Uptime", "4242"],
        ]))
        let observation = try await ops(session).observe()
        #expect(await session.statements == [
            "SELECT @@global.server_id AS server_id, @@global.server_uuid AS server_uuid, @@global.version AS version, @@global.read_only AS read_only, @@global.super_read_only AS super_read_only, @@global.gtid_executed AS gtid_executed",
            "SHOW REPLICA STATUS",
            #"SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_variables WHERE VARIABLE_NAME LIKE 'rpl\_semi\_sync\_%' UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME LIKE 'Rpl\_semi\_sync\_%' OR VARIABLE_NAME = 'Uptime'"#,
        ])
        #expect(observation.name == "db-1")
        #expect(observation.flavor == .mysql)
        #expect(observation.serverID == 11)
        #expect(observation.serverUUID == ServerUUID(uuid))
        #expect(observation.readOnly == true && observation.superReadOnly == true)
        #expect(observation.executedGTIDs == (try GTIDState(parsing: "\(uuid):1-10,\(uuid):tagged:1-2", flavor: .mysql)))
        #expect(observation.retrievedGTIDs == (try GTIDState(parsing: "\(uuid):5-12", flavor: .mysql)))
        #expect(observation.replica == ReplicaStatus(
            sourceHost: "10.0.0.5", sourcePort: 3306, ioThread: .connecting, sqlThreadRunning: true,
            secondsBehindSource: nil, lastIOError: "error connecting to source", lastSQLError: nil, usingGTID: true))
        #expect(observation.semiSync == SemiSyncState(
            sourceEnabled: false, replicaEnabled: true, sourceActive: nil, replicaActive: true, clients: 0,
            waitForReplicaCount: 1, waitPoint: .afterSync))
        #expect(observation.uptimeSeconds == 4242)
        #expect(observation.roleHint == .replica)
    }

    @Test("a primary without semi-sync plugins observes as such")
    func observePrimary() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "1", "server_uuid": uuid, "version": "8.4.3", "read_only": "0",
            "super_read_only": "0", "gtid_executed": "",
        ]))
        let observation = try await ops(session).observe()
        #expect(observation.replica == nil)
        #expect(observation.retrievedGTIDs == nil)
        #expect(observation.semiSync == nil)
        #expect(observation.executedGTIDs == .empty(.mysql))
        #expect(observation.roleHint == .primary)
    }

    @Test("unparseable GTIDs are a typed error naming instance and statement")
    func badGTIDs() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "1", "server_uuid": uuid, "version": "8.4.3", "read_only": "0",
            "super_read_only": "0", "gtid_executed": "\(uuid):5-3",
        ]))
        do {
            _ = try await ops(session).observe()
            Issue.record("accepted a reversed interval")
        } catch {
            #expect(error.instance == "db-1")
            #expect(error.operation == "observe")
            #expect(error.statement?.hasPrefix("SELECT @@global.server_id") == true)
            guard case .invalidGTID(let parseError) = error.reason else {
                Issue.record("wrong reason \(error.reason)")
                return
            }
            #expect(parseError.reason == .reversedInterval(5, 3))
            #expect(error.applied.isEmpty)
        }
    }

    @Test("fence: kill clients, super_read_only, kill latecomers; spare replication and Vigil")
    func fence() async throws {
        let session = FakeSession()
        let columns = ["ID", "USER", "COMMAND", "SELF"]
        await session.on("SELECT ID, USER", times: 1, reply: .table(columns, [
            ["5", "app", "Query", "9"], ["6", "vigil_repl", "Binlog Dump GTID", "9"],
            ["7", "system user", "Connect", "9"], ["8", "event_scheduler", "Daemon", "9"],
            ["9", "vigil_admin", "Query", "9"], ["10", "vigil_probe", "Sleep", "9"], ["11", "root", "Sleep", "9"],
            ["12", "unauthenticated user", "Connect", "9"],
        ]))
        await session.on("SELECT ID, USER", times: 1, reply: .table(columns, [
            ["9", "vigil_admin", "Query", "9"], ["13", "app", "Sleep", "9"],
        ]))
        await session.on("KILL CONNECTION 11", fail: MySQLError.server(1094, "HY000", "Unknown thread id: 11"))
        let report = try await ops(session).fence(reason: "lease expired")
        let processlist = "SELECT ID, USER, COMMAND, CONNECTION_ID() AS SELF FROM information_schema.PROCESSLIST"
        #expect(await session.statements == [
            processlist, "KILL CONNECTION 5", "KILL CONNECTION 11", "KILL CONNECTION 12",
            "SET GLOBAL super_read_only = ON",
            processlist, "KILL CONNECTION 13",
        ])
        #expect(report.killed.map(\.id) == [5, 12, 13])
        #expect(report.reason == "lease expired")
    }

    @Test("fence refused for lack of privilege says so and lists what was applied")
    func fenceDenied() async throws {
        let session = FakeSession()
        await session.on("SELECT ID, USER", reply: .table(["ID", "USER", "COMMAND", "SELF"], [
            ["5", "app", "Query", "9"], ["9", "vigil_probe", "Query", "9"],
        ]))
        await session.on("SET GLOBAL super_read_only", fail: MySQLError.server(
            1227, "42000", "Access denied; you need (at least one of) the SUPER or SYSTEM_VARIABLES_ADMIN privilege(s) for this operation"))
        do {
            try await ops(session).fence(reason: "test")
            Issue.record("fence succeeded")
        } catch {
            #expect(error.isPermissionDenied)
            #expect(error.serverError?.code == 1227)
            #expect(error.statement == "SET GLOBAL super_read_only = ON")
            #expect(error.applied == ["KILL CONNECTION 5"])
            #expect("\(error)" == "db-1: fence failed at `SET GLOBAL super_read_only = ON`: ERROR 1227 (42000): Access denied; you need (at least one of) the SUPER or SYSTEM_VARIABLES_ADMIN privilege(s) for this operation (already applied: `KILL CONNECTION 5`)")
        }
    }

    @Test("promote: stop, reset all, lift super_read_only then read_only")
    func promote() async throws {
        let session = FakeSession()
        try await ops(session).promote()
        #expect(await session.statements == [
            "STOP REPLICA", "RESET REPLICA ALL", "SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF",
        ])
    }

    @Test("repoint: auto-position, fast retries, heartbeat, password redacted in errors")
    func repoint() async throws {
        let session = FakeSession()
        let password = "Zr9'pw\\x"
        let operations = ops(session)
        try await operations.repoint(
            to: ReplicationSource(host: "db-2.example", port: 3307),
            credentials: ReplicationCredentials(user: "vigil_repl", password: password),
            options: RepointOptions(netTimeoutSeconds: 4, heartbeatPeriodSeconds: 1.5, semiSync: true))
        #expect(await session.statements == [
            "STOP REPLICA",
            "SET GLOBAL replica_net_timeout = 4",
            #"CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'db-2.example', SOURCE_PORT = 3307, SOURCE_USER = 'vigil_repl', SOURCE_PASSWORD = 'Zr9\'pw\\x', SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = 1, SOURCE_RETRY_COUNT = 86400, SOURCE_HEARTBEAT_PERIOD = 1.5, GET_SOURCE_PUBLIC_KEY = 1"#,
            "SET GLOBAL rpl_semi_sync_replica_enabled = ON",
            "START REPLICA",
        ])

        let failing = FakeSession()
        await failing.on("START REPLICA", fail: MySQLError.server(
            1200, "HY000", "near 'Zr9\\'pw\\\\x' and Zr9'pw\\x"))
        do {
            try await ops(failing).repoint(
                to: ReplicationSource(host: "db-2", port: 3306),
                credentials: ReplicationCredentials(user: "vigil_repl", password: password),
                options: RepointOptions(requireTLS: true))
            Issue.record("repoint succeeded")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("Zr9"))
            #expect(!String(reflecting: error).contains("Zr9"))
            #expect(error.statement == "START REPLICA")
            #expect(error.applied == [
                "STOP REPLICA", "SET GLOBAL replica_net_timeout = 4",
                "CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'db-2', SOURCE_PORT = 3306, SOURCE_USER = 'vigil_repl', SOURCE_PASSWORD = '<redacted>', SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = 1, SOURCE_RETRY_COUNT = 86400, SOURCE_HEARTBEAT_PERIOD = 1, SOURCE_SSL = 1",
            ])
            #expect(error.serverError?.message == "near '<redacted>' and <redacted>")
        }
        let statements = await failing.statements
        #expect(statements[2].contains(#"SOURCE_PASSWORD = 'Zr9\'pw\\x'"#))
    }

    @Test("repoint refuses a heartbeat that is not below the net timeout")
    func badRepointOptions() async throws {
        let session = FakeSession()
        await #expect(throws: EngineError.self) {
            try await ops(session).repoint(
                to: ReplicationSource(host: "h", port: 1), credentials: ReplicationCredentials(user: "u", password: "p"),
                options: RepointOptions(netTimeoutSeconds: 2, heartbeatPeriodSeconds: 2))
        }
        #expect(await session.statements.isEmpty)
    }

    @Test("stop IO thread")
    func stopIOThread() async throws {
        let session = FakeSession()
        try await ops(session).stopIOThread()
        #expect(await session.statements == ["STOP REPLICA IO_THREAD"])
    }

    @Test("wait for GTIDs: reached, and timed out naming wanted and had")
    func waitForGTIDs() async throws {
        let wanted = try GTIDState(parsing: "\(uuid):1-20", flavor: .mysql)
        let session = FakeSession()
        await session.on("SELECT WAIT_FOR_EXECUTED_GTID_SET", times: 1, reply: .table(["reached"], [["0"]]))
        await session.on("SELECT WAIT_FOR_EXECUTED_GTID_SET", times: 1, reply: .table(["reached"], [["1"]]))
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "1", "server_uuid": uuid, "version": "8.4.3", "read_only": "1",
            "super_read_only": "1", "gtid_executed": "\(uuid):1-17",
        ]))
        try await ops(session).waitForGTIDs(wanted, timeout: .milliseconds(2500))
        #expect(await session.statements.last == "SELECT WAIT_FOR_EXECUTED_GTID_SET('\(uuid):1-20', 2.500) AS reached")
        do {
            try await ops(session).waitForGTIDs(wanted, timeout: .seconds(3))
            Issue.record("did not time out")
        } catch {
            guard case .gtidWaitTimedOut(let w, let had, let timeout) = error.reason else {
                Issue.record("wrong reason \(error.reason)")
                return
            }
            #expect(w == wanted)
            #expect(had == (try GTIDState(parsing: "\(uuid):1-17", flavor: .mysql)))
            #expect(timeout == .seconds(3))
            #expect("\(error)" == "db-1: wait for GTIDs failed at `SELECT WAIT_FOR_EXECUTED_GTID_SET('\(uuid):1-20', 3.000) AS reached`: did not reach GTIDs \(uuid):1-20 within 3s; it had executed \(uuid):1-17")
        }
        await #expect(throws: EngineError.self) {
            try await ops(session).waitForGTIDs(.empty(.mariadb), timeout: .seconds(1))
        }
    }

    @Test("drain waits for the retrieved set")
    func drain() async throws {
        let session = FakeSession()
        await session.on("SHOW REPLICA STATUS", reply: .row([
            "Replica_IO_Running": "No", "Replica_SQL_Running": "Yes", "Source_Host": "h", "Source_Port": "3306",
            "Seconds_Behind_Source": "0", "Last_IO_Error": "", "Last_SQL_Error": "", "Auto_Position": "1",
            "Retrieved_Gtid_Set": "\(uuid):1-30",
        ]))
        await session.on("SELECT WAIT_FOR_EXECUTED_GTID_SET", reply: .table(["reached"], [["1"]]))
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "1", "server_uuid": uuid, "version": "8.4.3", "read_only": "1",
            "super_read_only": "1", "gtid_executed": "\(uuid):1-29",
        ]))
        let result = try await ops(session).drainRelayLog(timeout: .seconds(30))
        #expect(!result.drained)
        #expect(result.retrieved == (try GTIDState(parsing: "\(uuid):1-30", flavor: .mysql)))
        #expect(result.executed == (try GTIDState(parsing: "\(uuid):1-29", flavor: .mysql)))
        #expect(await session.statements.contains("SELECT WAIT_FOR_EXECUTED_GTID_SET('\(uuid):1-30', 30.000) AS reached"))
    }

    @Test("semi-sync source: installs missing plugins under relaxed super_read_only, then lossless settings")
    func semiSyncSource() async throws {
        let session = FakeSession()
        await session.on("SHOW REPLICAS", reply: .table(["Server_Id", "Host", "Port", "Source_Id", "Replica_UUID"],
                                                        [["2", "db-2", "3306", "1", uuid]]))
        await session.on("SELECT PLUGIN_NAME", reply: .table(["PLUGIN_NAME"], [["InnoDB"], ["rpl_semi_sync_replica"]]))
        await session.on("SELECT @@global.super_read_only", reply: .table(["@@global.super_read_only"], [["1"]]))
        try await ops(session).enableSemiSyncSource(groupSize: 5)
        #expect(await session.statements == [
            "SHOW REPLICAS",
            "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE'",
            "SELECT @@global.super_read_only",
            "SET GLOBAL super_read_only = OFF",
            "INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'",
            "SET GLOBAL super_read_only = ON",
            "SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC'",
            "SET GLOBAL rpl_semi_sync_source_timeout = 4294967295",
            "SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 2",
            "SET GLOBAL rpl_semi_sync_source_wait_no_replica = ON",
            "SET GLOBAL rpl_semi_sync_source_enabled = ON",
        ])
        await #expect(throws: EngineError.self) { try await ops(FakeSession()).enableSemiSyncSource(groupSize: 1) }
    }

    @Test("semi-sync is refused while no replica is connected")
    func semiSyncWithoutReplicas() async throws {
        let session = FakeSession()
        await session.on("SHOW REPLICAS", reply: .table(["Server_Id"], []))
        do {
            try await ops(session).enableSemiSyncSource(groupSize: 3)
            Issue.record("enabled semi-sync without a replica")
        } catch {
            #expect(error.statement == "SHOW REPLICAS")
            #expect("\(error)".contains("no replica is connected"))
        }
        #expect(await session.statements == ["SHOW REPLICAS"])
    }

    @Test("lossless promote turns semi-sync on before the instance becomes writable")
    func losslessPromote() async throws {
        let session = FakeSession()
        await session.on("SELECT PLUGIN_NAME", reply: .table(["PLUGIN_NAME"], [["rpl_semi_sync_source"], ["rpl_semi_sync_replica"]]))
        try await ops(session).promote(semiSyncGroupSize: 3)
        #expect(await session.statements == [
            "STOP REPLICA", "RESET REPLICA ALL",
            "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE'",
            "SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC'",
            "SET GLOBAL rpl_semi_sync_source_timeout = 4294967295",
            "SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 1",
            "SET GLOBAL rpl_semi_sync_source_wait_no_replica = ON",
            "SET GLOBAL rpl_semi_sync_source_enabled = ON",
            "SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF",
        ])
    }

    @Test("semi-sync replica restarts a running IO thread")
    func semiSyncReplica() async throws {
        let session = FakeSession()
        await session.on("SELECT PLUGIN_NAME", reply: .table(["PLUGIN_NAME"], [["rpl_semi_sync_source"], ["rpl_semi_sync_replica"]]))
        await session.on("SHOW REPLICA STATUS", reply: .row([
            "Replica_IO_Running": "Yes", "Replica_SQL_Running": "Yes", "Source_Host": "h", "Source_Port": "3306",
            "Retrieved_Gtid_Set": "",
        ]))
        try await ops(session).enableSemiSyncReplica()
        #expect(await session.statements == [
            "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE'",
            "SET GLOBAL rpl_semi_sync_replica_enabled = ON",
            "SHOW REPLICA STATUS",
            "STOP REPLICA IO_THREAD",
            "START REPLICA IO_THREAD",
        ])
    }

    @Test("system accounts: unlogged, idempotent DDL, least privilege, passwords only on the wire")
    func accounts() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.super_read_only", reply: .table(["@@global.super_read_only"], [["0"]]))
        let request = AccountRequest(passwords: [.replication: "replPW123", .probe: "probePW456"], hosts: ["%"])
        try await ops(session).ensureSystemAccounts(request)
        #expect(await session.statements == [
            "SET SESSION sql_log_bin = 0",
            "SELECT @@global.super_read_only",
            "CREATE USER IF NOT EXISTS 'vigil_repl'@'%' IDENTIFIED BY 'replPW123'",
            "ALTER USER 'vigil_repl'@'%' IDENTIFIED BY 'replPW123'",
            "GRANT REPLICATION SLAVE ON *.* TO 'vigil_repl'@'%'",
            "CREATE USER IF NOT EXISTS 'vigil_probe'@'%' IDENTIFIED BY 'probePW456'",
            "ALTER USER 'vigil_probe'@'%' IDENTIFIED BY 'probePW456'",
            "GRANT REPLICATION CLIENT ON *.* TO 'vigil_probe'@'%'",
            "SET SESSION sql_log_bin = 1",
        ])
        #expect(!"\(request)".contains("PW"))
    }

    @Test("a failed account step restores binlogging and super_read_only, and reports both")
    func accountsFailure() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.super_read_only", reply: .table(["@@global.super_read_only"], [["1"]]))
        await session.on("GRANT", fail: MySQLError.server(1142, "42000", "GRANT command denied to user 'x'@'%'"))
        do {
            try await ops(session).ensureSystemAccounts(AccountRequest(passwords: [.monitor: "monPW789"], hosts: ["localhost"]))
            Issue.record("succeeded")
        } catch {
            #expect(error.isPermissionDenied)
            #expect(error.statement == "GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'vigil_monitor'@'localhost'")
            #expect(error.applied == [
                "SET SESSION sql_log_bin = 0",
                "SET GLOBAL super_read_only = OFF",
                "CREATE USER IF NOT EXISTS 'vigil_monitor'@'localhost' IDENTIFIED BY '<redacted>'",
                "ALTER USER 'vigil_monitor'@'localhost' IDENTIFIED BY '<redacted>'",
                "SET GLOBAL super_read_only = ON",
                "SET SESSION sql_log_bin = 1",
            ])
            #expect(!"\(error)".contains("monPW789"))
        }
    }

    @Test("grants per account")
    func grants() {
        let d = MySQLDialect()
        #expect(d.grants(for: .admin, user: "vigil_admin", host: "%").map(\.sql) == [
            "GRANT ALL PRIVILEGES ON *.* TO 'vigil_admin'@'%' WITH GRANT OPTION"])
        #expect(d.grants(for: .monitor, user: "vigil_monitor", host: "%").map(\.sql) == [
            "GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'vigil_monitor'@'%'",
            "GRANT SELECT ON performance_schema.* TO 'vigil_monitor'@'%'"])
        #expect(d.grants(for: .backup, user: "vigil_backup", host: "%").map(\.sql) == [
            "GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, BACKUP_ADMIN ON *.* TO 'vigil_backup'@'%'",
            "GRANT SELECT ON performance_schema.log_status TO 'vigil_backup'@'%'"])
    }

    @Test("a session failure that is not a server error still names instance and statement")
    func sessionFailure() async throws {
        struct Broken: Error {}
        let session = FakeSession()
        await session.on("STOP REPLICA", fail: Broken())
        do {
            try await ops(session).promote()
            Issue.record("promoted")
        } catch {
            #expect(error.statement == "STOP REPLICA")
            #expect(error.applied.isEmpty)
            #expect("\(error)" == "db-1: promote failed at `STOP REPLICA`: Broken()")
        }
    }
}
