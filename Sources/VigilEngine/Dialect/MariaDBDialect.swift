import VigilCore
import VigilMySQL

/// MariaDB 10.11+: master/slave vocabulary, GTID positions (`domain-server-seq`), plain
/// read_only, semi-sync built into the server.
public struct MariaDBDialect: EngineDialect {
    public init() {}

    public var flavor: Flavor { .mariadb }

    // MARK: Observe

    // gtid_current_pos is the executed history: the slave position, or the binlog's last
    // GTID where this server wrote it itself (so a replica's local writes show up in it).
    public var globalsQuery: SQLStatement {
        "SELECT @@global.server_id AS server_id, @@global.version AS version, @@global.read_only AS read_only, @@global.gtid_current_pos AS gtid_executed"
    }

    // The default (unnamed) connection; multi-source replication is out of scope.
    public var replicaStatusQuery: SQLStatement { "SHOW SLAVE STATUS" }

    public var statusQuery: SQLStatement {
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%' UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%' OR VARIABLE_NAME = 'UPTIME'"
    }

    public func parseGlobals(_ result: MySQLResult) throws(ResultParseError) -> ObservedGlobals {
        let row = try result.singleRow("the globals query")
        let readOnlyText = try row.requiredString("read_only")
        return ObservedGlobals(
            serverID: row.optionalUInt("server_id").flatMap { UInt32(exactly: $0) },
            serverUUID: nil,
            version: row.optionalString("version"),
            // Newer servers spell read_only as an enum (e.g. NO_LOCK); anything but an
            // explicit "off" is read-only, the safe reading.
            readOnly: ServerText.flag(readOnlyText) ?? true,
            superReadOnly: nil,
            executedGTIDs: try row.gtids("gtid_executed", flavor: .mariadb))
    }

    public func parseReplicaStatus(_ result: MySQLResult) throws(ResultParseError) -> ObservedReplication? {
        guard let row = result.rows.first else { return nil }
        let io = ServerText.ioThread(try row.requiredString("Slave_IO_Running"))
        let usingGTID = row.optionalString("Using_Gtid").map { $0.uppercased() != "NO" } ?? false
        let status = ReplicaStatus(
            sourceHost: try row.requiredString("Master_Host"),
            sourcePort: Int(row.optionalUInt("Master_Port") ?? 0),
            ioThread: io,
            sqlThreadRunning: try row.requiredFlag("Slave_SQL_Running"),
            secondsBehindSource: row.optionalUInt("Seconds_Behind_Master"),
            lastIOError: row.optionalString("Last_IO_Error"),
            lastSQLError: row.optionalString("Last_SQL_Error"),
            usingGTID: usingGTID)
        return ObservedReplication(status: status, retrievedGTIDs: try row.gtids("Gtid_IO_Pos", flavor: .mariadb))
    }

    public func parseStatus(_ pairs: [String: String]) -> (semiSync: SemiSyncState?, uptimeSeconds: UInt64?) {
        let uptime = pairs["uptime"].flatMap { UInt64($0) }
        let sourceEnabled = pairs["rpl_semi_sync_master_enabled"].flatMap(ServerText.flag)
        let replicaEnabled = pairs["rpl_semi_sync_slave_enabled"].flatMap(ServerText.flag)
        guard sourceEnabled != nil || replicaEnabled != nil else { return (nil, uptime) }
        let state = SemiSyncState(
            sourceEnabled: sourceEnabled ?? false,
            replicaEnabled: replicaEnabled ?? false,
            sourceActive: pairs["rpl_semi_sync_master_status"].flatMap(ServerText.flag),
            replicaActive: pairs["rpl_semi_sync_slave_status"].flatMap(ServerText.flag),
            clients: pairs["rpl_semi_sync_master_clients"].flatMap { Int($0) } ?? 0,
            // MariaDB has no wait count: a commit always waits for exactly one replica.
            waitForReplicaCount: nil,
            waitPoint: ServerText.waitPoint(pairs["rpl_semi_sync_master_wait_point"]))
        return (state, uptime)
    }

    // MARK: Fence and promote

    public var connectionsQuery: SQLStatement {
        "SELECT ID, USER, COMMAND, CONNECTION_ID() AS SELF FROM information_schema.PROCESSLIST"
    }

    // MariaDB has no super_read_only. read_only stops every account without READ ONLY ADMIN;
    // since 10.11 SUPER no longer implies it, but ALL PRIVILEGES (root, vigil_admin) does.
    // Application accounts must therefore never hold READ ONLY ADMIN.
    public var setReadOnly: [SQLStatement] { ["SET GLOBAL read_only = ON"] }
    public var setWritable: [SQLStatement] { ["SET GLOBAL read_only = OFF"] }

    public var stopReplica: SQLStatement { "STOP SLAVE" }
    public var startReplica: SQLStatement { "START SLAVE" }
    public var resetReplicaAll: SQLStatement { "RESET SLAVE ALL" }
    public var stopIOThread: SQLStatement { "STOP SLAVE IO_THREAD" }
    public var startIOThread: SQLStatement { "START SLAVE IO_THREAD" }

    // MARK: Repoint

    public func configureReplication(source: ReplicationSource, credentials: ReplicationCredentials,
                                     options: RepointOptions) -> [SQLStatement] {
        // MASTER_USE_GTID=slave_pos fetches from gtid_slave_pos, which does not include what
        // this server wrote itself. Seeding it from gtid_current_pos lets a former primary
        // follow the new one without re-fetching its own transactions, and makes a replica
        // with local (errant) writes fail loudly at connect in strict mode instead of
        // silently applying a diverged stream.
        let tls: SQLStatement = options.requireTLS ? ", MASTER_SSL = 1" : ""
        return [
            "SET GLOBAL slave_net_timeout = \(options.netTimeoutSeconds)",
            "SET GLOBAL gtid_slave_pos = @@global.gtid_current_pos",
            """
            CHANGE MASTER TO MASTER_HOST = \(literal: source.host), MASTER_PORT = \(source.port), \
            MASTER_USER = \(literal: credentials.user), MASTER_PASSWORD = \(secret: credentials.password), \
            MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = \(options.connectRetrySeconds), \
            MASTER_HEARTBEAT_PERIOD = \(raw: options.heartbeatText)\(tls)
            """,
        ] + (options.semiSync ? enableSemiSyncReplica : [])
    }

    // MARK: GTID waits

    // Waits on gtid_slave_pos (what the SQL thread applied): 0 when reached, -1 on timeout.
    public func waitForGTIDs(_ gtids: GTIDState, timeout: Duration) -> SQLStatement {
        "SELECT MASTER_GTID_WAIT(\(literal: gtids.description), \(raw: secondsLiteral(timeout))) AS reached"
    }

    public func parseWait(_ result: MySQLResult) throws(ResultParseError) -> Bool {
        let row = try result.singleRow("MASTER_GTID_WAIT")
        switch row[0].int {
        case 0: return true
        case -1: return false
        default: throw .unexpected("MASTER_GTID_WAIT returned \(row[0])")
        }
    }

    // MARK: Semi-sync

    public var semiSyncPlugins: [(name: String, library: String)] { [] }
    public var activePluginsQuery: SQLStatement {
        "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE'"
    }

    public var connectedReplicasQuery: SQLStatement { "SHOW SLAVE HOSTS" }

    /// `waitCount` is ignored: MariaDB has no `wait_for_slave_count`, every commit waits for
    /// one acknowledgement. With more than three instances that is weaker than a majority.
    public func enableSemiSyncSource(waitCount: Int) -> [SQLStatement] {
        [
            "SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'",
            "SET GLOBAL rpl_semi_sync_master_timeout = \(SemiSyncSettings.losslessTimeoutMilliseconds)",
            "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
            "SET GLOBAL rpl_semi_sync_master_enabled = ON",
        ]
    }

    public var disableSemiSyncSource: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_master_enabled = OFF"] }
    public var enableSemiSyncReplica: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_slave_enabled = ON"] }
    public var disableSemiSyncReplica: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_slave_enabled = OFF"] }

    // MARK: Accounts

    // SLAVE MONITOR (SHOW SLAVE STATUS) and BINLOG MONITOR (SHOW BINLOG STATUS, formerly
    // REPLICATION CLIENT) are the 10.5+ split of the old catch-all privileges.
    public func grants(for account: SystemAccount, user: String, host: String) -> [SQLStatement] {
        switch account {
        case .admin:
            ["GRANT ALL PRIVILEGES ON *.* TO \(account: user, host) WITH GRANT OPTION"]
        case .replication:
            ["GRANT REPLICATION SLAVE ON *.* TO \(account: user, host)"]
        case .probe:
            ["GRANT SLAVE MONITOR ON *.* TO \(account: user, host)"]
        case .monitor:
            [
                "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO \(account: user, host)",
                "GRANT SELECT ON performance_schema.* TO \(account: user, host)",
            ]
        case .backup:
            ["GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO \(account: user, host)"]
        }
    }

    public var adminDDLGuard: (isActive: SQLStatement, relax: SQLStatement, restore: SQLStatement)? { nil }
}
