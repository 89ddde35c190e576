import Testing
import VigilCore
import VigilMySQL
@testable import VigilEngine

/// The MariaDB dialect's statements (the integration tests run them for real).
@Suite("MariaDB dialect")
struct MariaDBDialectTests {
    func ops(_ session: FakeSession) -> InstanceOperations {
        InstanceOperations(instance: "db-2", session: session, dialect: MariaDBDialect())
    }

    @Test("observe maps slave status, GTID positions and semi-sync")
    func observe() async throws {
        let session = FakeSession()
        await session.on("SELECT @@global.server_id", reply: .row([
            "server_id": "2", "version": "10.11.6-MariaDB-log", "read_only": "1", "gtid_executed": "0-1-100,1-2-5",
        ]))
        await session.on("SHOW SLAVE STATUS", reply: .row([
            "Slave_IO_Running": "Yes", "Slave_SQL_Running": "No", "Master_Host": "127.0.0.1", "Master_Port": "3306",
            "Seconds_Behind_Master": nil, "Last_IO_Error": "", "Last_SQL_Error": "Duplicate entry", "Using_Gtid": "Slave_Pos",
            "Gtid_IO_Pos": "0-1-104",
        ]))
        await session.on("SELECT VARIABLE_NAME", reply: .table(["VARIABLE_NAME", "VARIABLE_VALUE"], [
            ["RPL_SEMI_SYNC_MASTER_ENABLED", "OFF"], ["RPL_SEMI_SYNC_SLAVE_ENABLED", "ON"],
            ["RPL_SEMI_SYNC_MASTER_WAIT_POINT", "AFTER_SYNC"], ["RPL_SEMI_SYNC_SLAVE_STATUS", "ON"],
            ["RPL_SEMI_SYNC_MASTER_STATUS", "OFF"], ["RPL_SEMI_SYNC_MASTER_CLIENTS", "0"], ["UPTIME", "12"],
        ]))
        let observation = try await ops(session).observe()
        #expect(await session.statements == [
            "SELECT @@global.server_id AS server_id, @@global.version AS version, @@global.read_only AS read_only, @@global.gtid_current_pos AS gtid_executed",
            "SHOW SLAVE STATUS",
            #"SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME LIKE 'rpl\_semi\_sync\_%' UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME LIKE 'rpl\_semi\_sync\_%' OR VARIABLE_NAME = 'UPTIME'"#,
        ])
        #expect(observation.flavor == .mariadb)
        #expect(observation.serverUUID == nil && observation.superReadOnly == nil)
        #expect(observation.executedGTIDs == (try GTIDState(parsing: "0-1-100,1-2-5", flavor: .mariadb)))
        #expect(observation.retrievedGTIDs == (try GTIDState(parsing: "0-1-104", flavor: .mariadb)))
        #expect(observation.replica?.ioThread == .yes)
        #expect(observation.replica?.sqlThreadRunning == false)
        #expect(observation.replica?.lastSQLError == "Duplicate entry")
        #expect(observation.replica?.usingGTID == true)
        #expect(observation.semiSync == SemiSyncState(
            sourceEnabled: false, replicaEnabled: true, sourceActive: false, replicaActive: true, clients: 0,
            waitForReplicaCount: nil, waitPoint: .afterSync))
        #expect(observation.uptimeSeconds == 12)
    }

    @Test("an enum-valued read_only (newer servers) reads as read-only")
    func enumReadOnly() throws {
        let globals = try MariaDBDialect().parseGlobals(.row([
            "server_id": "1", "version": "11.8.1-MariaDB", "read_only": "NO_LOCK", "gtid_executed": "",
        ]))
        #expect(globals.readOnly)
    }

    @Test("fence, promote, repoint, waits and semi-sync statements")
    func statements() async throws {
        let session = FakeSession()
        let operations = ops(session)
        try await operations.fence(reason: "test")
        try await operations.promote()
        try await operations.repoint(
            to: ReplicationSource(host: "127.0.0.1", port: 3310),
            credentials: ReplicationCredentials(user: "vigil_repl", password: "pw"),
            options: RepointOptions(heartbeatPeriodSeconds: 0.5))
        try await operations.stopIOThread()
        await session.on("SELECT MASTER_GTID_WAIT", reply: .table(["reached"], [["0"]]))
        try await operations.waitForGTIDs(try GTIDState(parsing: "0-1-7", flavor: .mariadb), timeout: .milliseconds(250))
        await session.on("SHOW SLAVE HOSTS", reply: .table(["Server_id", "Host", "Port", "Master_id"], [["3", "h", "3306", "2"]]))
        try await operations.enableSemiSyncSource(groupSize: 3)
        let processlist = "SELECT ID, USER, COMMAND, CONNECTION_ID() AS SELF FROM information_schema.PROCESSLIST"
        #expect(await session.statements == [
            processlist, "SET GLOBAL read_only = ON", processlist,
            "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = OFF",
            "STOP SLAVE",
            "SET GLOBAL slave_net_timeout = 4",
            "SET GLOBAL gtid_slave_pos = @@global.gtid_current_pos",
            "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = 3310, MASTER_USER = 'vigil_repl', MASTER_PASSWORD = 'pw', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 0.5",
            "START SLAVE",
            "STOP SLAVE IO_THREAD",
            "SELECT MASTER_GTID_WAIT('0-1-7', 0.250) AS reached",
            "SHOW SLAVE HOSTS",
            "SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'",
            "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295",
            "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
            "SET GLOBAL rpl_semi_sync_master_enabled = ON",
        ])
    }

    @Test("MASTER_GTID_WAIT: -1 is a timeout, anything else unexpected")
    func waitResults() throws {
        let d = MariaDBDialect()
        #expect(try d.parseWait(.table(["reached"], [["0"]])) == true)
        #expect(try d.parseWait(.table(["reached"], [["-1"]])) == false)
        #expect(throws: ResultParseError.self) { try d.parseWait(.table(["reached"], [[nil]])) }
    }

    @Test("least-privilege grants use the 10.5+ split privileges")
    func grants() {
        let d = MariaDBDialect()
        #expect(d.grants(for: .probe, user: "vigil_probe", host: "localhost").map(\.sql) == [
            "GRANT SLAVE MONITOR ON *.* TO 'vigil_probe'@'localhost'"])
        #expect(d.grants(for: .replication, user: "vigil_repl", host: "%").map(\.sql) == [
            "GRANT REPLICATION SLAVE ON *.* TO 'vigil_repl'@'%'"])
        #expect(d.grants(for: .backup, user: "vigil_backup", host: "%").map(\.sql) == [
            "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'vigil_backup'@'%'"])
        #expect(d.adminDDLGuard == nil)
    }

    @Test("accounts need no read-only relaxation on MariaDB")
    func accounts() async throws {
        let session = FakeSession()
        try await ops(session).ensureSystemAccounts(AccountRequest(passwords: [.admin: "adminPW"], hosts: ["127.0.0.1"]))
        #expect(await session.statements == [
            "SET SESSION sql_log_bin = 0",
            "CREATE USER IF NOT EXISTS 'vigil_admin'@'127.0.0.1' IDENTIFIED BY 'adminPW'",
            "ALTER USER 'vigil_admin'@'127.0.0.1' IDENTIFIED BY 'adminPW'",
            "GRANT ALL PRIVILEGES ON *.* TO 'vigil_admin'@'127.0.0.1' WITH GRANT OPTION",
            "SET SESSION sql_log_bin = 1",
        ])
    }
}

@Suite("Fencing policy, semi-sync sizing, passwords")
struct PolicyTests {
    @Test("semi-sync acknowledgements make a majority with the primary", arguments: [
        (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3),
    ])
    func waitCount(groupSize: Int, expected: Int) {
        #expect(SemiSyncSettings.waitCount(groupSize: groupSize) == expected)
    }

    @Test("connections to kill")
    func connectionsToKill() throws {
        let result = MySQLResult.table(["ID", "USER", "COMMAND", "SELF"], [
            ["1", "app", "Query", "4"], ["2", "system user", "Slave_SQL", "4"], ["3", "vigil_repl", "Binlog Dump", "4"],
            ["4", "vigil_admin", "Query", "4"], ["5", "someone", "Binlog Dump", "4"], ["6", "root", "Sleep", "4"],
            ["7", "vigil_monitor", "Sleep", "4"],
        ])
        let victims = try FencePolicy.connectionsToKill(result, exemptUsers: InstanceOperations.defaultFenceExemptUsers)
        #expect(victims == [ClientConnection(id: 1, user: "app", command: "Query"), ClientConnection(id: 6, user: "root", command: "Sleep")])
        let withRoot = try FencePolicy.connectionsToKill(result, exemptUsers: ["root"])
        #expect(withRoot.map(\.id) == [1, 7])  // 4 is our own session
    }

    @Test("generated passwords: long, alphanumeric, distinct")
    func passwords() {
        let passwords = (0..<200).map { _ in PasswordGenerator.generate() }
        #expect(Set(passwords).count == passwords.count)
        #expect(passwords.allSatisfy { $0.count == 32 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        let request = AccountRequest.generated()
        #expect(request.passwords.count == SystemAccount.allCases.count)
        #expect(request.hosts == ["localhost", "127.0.0.1", "%"])
        for password in request.passwords.values { #expect(!"\(request)".contains(password)) }
    }
}
