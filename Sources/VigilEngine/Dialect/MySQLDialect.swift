import VigilCore
import VigilMySQL

/// MySQL 8.4 / 9.x (and 8.0.26+): source/replica vocabulary, GTID sets, super_read_only,
/// semi-sync as the `rpl_semi_sync_source` / `_replica` plugins.
public struct MySQLDialect: EngineDialect {
    public init() {}

    public var flavor: Flavor { .mysql }

    // MARK: Observe

    public var globalsQuery: SQLStatement {
        "SELECT @@global.server_id AS server_id, @@global.server_uuid AS server_uuid, @@global.version AS version, @@global.read_only AS read_only, @@global.super_read_only AS super_read_only, @@global.gtid_executed AS gtid_executed"
    }

    public var replicaStatusQuery: SQLStatement { "SHOW REPLICA STATUS" }

    // performance_schema tables need no privilege for these; semi-sync variables exist only
    // while the plugins are loaded, so a missing row means "not installed", not an error.
    public var statusQuery: SQLStatement {
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_variables WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%' UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME LIKE 'Rpl\\_semi\\_sync\\_%' OR VARIABLE_NAME = 'Uptime'"
    }

    public func parseGlobals(_ result: MySQLResult) throws(ResultParseError) -> ObservedGlobals {
        let row = try result.singleRow("the globals query")
        let uuidText = row.optionalString("server_uuid")
        return ObservedGlobals(
            serverID: row.optionalUInt("server_id").flatMap { UInt32(exactly: $0) },
            serverUUID: uuidText.flatMap { ServerUUID($0) },
            version: row.optionalString("version"),
            readOnly: try row.requiredFlag("read_only"),
            superReadOnly: try row.requiredFlag("super_read_only"),
            executedGTIDs: try row.gtids("gtid_executed", flavor: .mysql))
    }

    public func parseReplicaStatus(_ result: MySQLResult) throws(ResultParseError) -> ObservedReplication? {
        // Multi-source replication is out of scope: the default channel is the first row.
        guard let row = result.rows.first else { return nil }
        let io = ServerText.ioThread(try row.requiredString("Replica_IO_Running"))
        let status = ReplicaStatus(
            sourceHost: try row.requiredString("Source_Host"),
            sourcePort: Int(row.optionalUInt("Source_Port") ?? 0),
            ioThread: io,
            sqlThreadRunning: try row.requiredFlag("Replica_SQL_Running"),
            secondsBehindSource: row.optionalUInt("Seconds_Behind_Source"),
            lastIOError: row.optionalString("Last_IO_Error"),
            lastSQLError: row.optionalString("Last_SQL_Error"),
            usingGTID: row.optionalString("Auto_Position").flatMap(ServerText.flag) ?? false)
        return ObservedReplication(status: status, retrievedGTIDs: try row.gtids("Retrieved_Gtid_Set", flavor: .mysql))
    }

    public func parseStatus(_ pairs: [String: String]) -> (semiSync: SemiSyncState?, uptimeSeconds: UInt64?) {
        let uptime = pairs["uptime"].flatMap { UInt64($0) }
        let sourceEnabled = pairs["rpl_semi_sync_source_enabled"].flatMap(ServerText.flag)
        let replicaEnabled = pairs["rpl_semi_sync_replica_enabled"].flatMap(ServerText.flag)
        guard sourceEnabled != nil || replicaEnabled != nil else { return (nil, uptime) }
        let state = SemiSyncState(
            sourceEnabled: sourceEnabled ?? false,
            replicaEnabled: replicaEnabled ?? false,
            sourceActive: pairs["rpl_semi_sync_source_status"].flatMap(ServerText.flag),
            replicaActive: pairs["rpl_semi_sync_replica_status"].flatMap(ServerText.flag),
            clients: pairs["rpl_semi_sync_source_clients"].flatMap { Int($0) } ?? 0,
            waitForReplicaCount: pairs["rpl_semi_sync_source_wait_for_replica_count"].flatMap { Int($0) },
            waitPoint: ServerText.waitPoint(pairs["rpl_semi_sync_source_wait_point"]))
        return (state, uptime)
    }

    // MARK: Fence and promote

    // information_schema.PROCESSLIST is deprecated in 8.4 but, unlike
    // performance_schema.processlist, also works with performance_schema off.
    public var connectionsQuery: SQLStatement {
        "SELECT ID, USER, COMMAND, CONNECTION_ID() AS SELF FROM information_schema.PROCESSLIST"
    }

    // super_read_only implies read_only and, unlike it, also stops SUPER / CONNECTION_ADMIN
    // holders: after this no client can write, whoever it is.
    public var setReadOnly: [SQLStatement] { ["SET GLOBAL super_read_only = ON"] }

    // super_read_only first: turning read_only off while super_read_only is on is refused.
    public var setWritable: [SQLStatement] {
        ["SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF"]
    }

    public var stopReplica: SQLStatement { "STOP REPLICA" }
    public var startReplica: SQLStatement { "START REPLICA" }
    public var resetReplicaAll: SQLStatement { "RESET REPLICA ALL" }
    public var stopIOThread: SQLStatement { "STOP REPLICA IO_THREAD" }
    public var startIOThread: SQLStatement { "START REPLICA IO_THREAD" }

    // MARK: Repoint

    public func configureReplication(source: ReplicationSource, credentials: ReplicationCredentials,
                                     options: RepointOptions) -> [SQLStatement] {
        // The net timeout goes first: the server refuses a heartbeat period above it.
        // GET_SOURCE_PUBLIC_KEY lets caching_sha2_password (the 8.4 default) authenticate
        // over a connection without TLS; with SOURCE_SSL=1 the key exchange is not needed.
        let tls: SQLStatement = options.requireTLS ? ", SOURCE_SSL = 1" : ", GET_SOURCE_PUBLIC_KEY = 1"
        return [
            "SET GLOBAL replica_net_timeout = \(options.netTimeoutSeconds)",
            """
            CHANGE REPLICATION SOURCE TO SOURCE_HOST = \(literal: source.host), SOURCE_PORT = \(source.port), \
            SOURCE_USER = \(literal: credentials.user), SOURCE_PASSWORD = \(secret: credentials.password), \
            SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = \(options.connectRetrySeconds), \
            SOURCE_RETRY_COUNT = \(options.retryCount), SOURCE_HEARTBEAT_PERIOD = \(raw: options.heartbeatText)\(tls)
            """,
        ] + (options.semiSync ? enableSemiSyncReplica : [])
    }

    // MARK: GTID waits

    // Returns 0 once gtid_executed ⊇ the set, 1 on timeout.
    public func waitForGTIDs(_ gtids: GTIDState, timeout: Duration) -> SQLStatement {
        "SELECT WAIT_FOR_EXECUTED_GTID_SET(\(literal: gtids.description), \(raw: secondsLiteral(timeout))) AS reached"
    }

    public func parseWait(_ result: MySQLResult) throws(ResultParseError) -> Bool {
        let row = try result.singleRow("WAIT_FOR_EXECUTED_GTID_SET")
        switch row[0].int {
        case 0: return true
        case 1: return false
        default: throw .unexpected("WAIT_FOR_EXECUTED_GTID_SET returned \(row[0])")
        }
    }

    // MARK: Semi-sync

    public var semiSyncPlugins: [(name: String, library: String)] {
        [("rpl_semi_sync_source", "semisync_source.so"), ("rpl_semi_sync_replica", "semisync_replica.so")]
    }

    public var activePluginsQuery: SQLStatement {
        "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE'"
    }

    public var connectedReplicasQuery: SQLStatement { "SHOW REPLICAS" }

    public func enableSemiSyncSource(waitCount: Int) -> [SQLStatement] {
        [
            "SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC'",
            "SET GLOBAL rpl_semi_sync_source_timeout = \(SemiSyncSettings.losslessTimeoutMilliseconds)",
            "SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = \(waitCount)",
            // Keep waiting even while no replica is connected: that is what "lossless" means.
            "SET GLOBAL rpl_semi_sync_source_wait_no_replica = ON",
            "SET GLOBAL rpl_semi_sync_source_enabled = ON",
        ]
    }

    public var disableSemiSyncSource: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_source_enabled = OFF"] }
    public var enableSemiSyncReplica: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_replica_enabled = ON"] }
    public var disableSemiSyncReplica: [SQLStatement] { ["SET GLOBAL rpl_semi_sync_replica_enabled = OFF"] }

    // MARK: Accounts

    public func grants(for account: SystemAccount, user: String, host: String) -> [SQLStatement] {
        switch account {
        case .admin:
            ["GRANT ALL PRIVILEGES ON *.* TO \(account: user, host) WITH GRANT OPTION"]
        case .replication:
            ["GRANT REPLICATION SLAVE ON *.* TO \(account: user, host)"]
        case .probe:
            ["GRANT REPLICATION CLIENT ON *.* TO \(account: user, host)"]
        case .monitor:
            [
                "GRANT PROCESS, REPLICATION CLIENT ON *.* TO \(account: user, host)",
                "GRANT SELECT ON performance_schema.* TO \(account: user, host)",
            ]
        case .backup:
            [
                "GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, BACKUP_ADMIN ON *.* TO \(account: user, host)",
                "GRANT SELECT ON performance_schema.log_status TO \(account: user, host)",
            ]
        }
    }

    public var adminDDLGuard: (isActive: SQLStatement, relax: SQLStatement, restore: SQLStatement)? {
        ("SELECT @@global.super_read_only", "SET GLOBAL super_read_only = OFF", "SET GLOBAL super_read_only = ON")
    }
}
