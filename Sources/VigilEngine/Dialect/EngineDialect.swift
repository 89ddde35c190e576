import VigilCore
import VigilMySQL

/// Everything that differs between MySQL and MariaDB: statement text and how to read what
/// the server answers. Pure (no IO), so each dialect is unit-tested against expected SQL.
/// `InstanceOperations` sequences these statements; callers never branch on the flavor.
public protocol EngineDialect: Sendable {
    var flavor: Flavor { get }

    // MARK: Observe

    /// One row: server id, version, read-only flags and executed GTIDs.
    var globalsQuery: SQLStatement { get }
    /// `SHOW REPLICA STATUS` / `SHOW SLAVE STATUS`: no row when replication is not configured.
    var replicaStatusQuery: SQLStatement { get }
    /// (name, value) rows: semi-sync variables and status, and `Uptime`.
    var statusQuery: SQLStatement { get }

    func parseGlobals(_ result: MySQLResult) throws(ResultParseError) -> ObservedGlobals
    func parseReplicaStatus(_ result: MySQLResult) throws(ResultParseError) -> ObservedReplication?
    func parseStatus(_ pairs: [String: String]) -> (semiSync: SemiSyncState?, uptimeSeconds: UInt64?)

    // MARK: Fence and promote

    /// Rows of every connection: `ID`, `USER`, `COMMAND`, and `SELF` (our own id) on each.
    var connectionsQuery: SQLStatement { get }
    /// Turns the instance read-only for everyone the server lets it (see each dialect).
    var setReadOnly: [SQLStatement] { get }
    var setWritable: [SQLStatement] { get }

    var stopReplica: SQLStatement { get }
    var startReplica: SQLStatement { get }
    var resetReplicaAll: SQLStatement { get }
    var stopIOThread: SQLStatement { get }
    var startIOThread: SQLStatement { get }

    // MARK: Repoint

    /// Statements after `stopReplica` and before `startReplica`: timeouts, source, GTID mode.
    func configureReplication(source: ReplicationSource, credentials: ReplicationCredentials,
                              options: RepointOptions) -> [SQLStatement]

    // MARK: GTID waits

    /// A `SELECT` returning one value: whether `gtids` were applied within `timeout`.
    func waitForGTIDs(_ gtids: GTIDState, timeout: Duration) -> SQLStatement
    /// true: reached; false: timed out.
    func parseWait(_ result: MySQLResult) throws(ResultParseError) -> Bool

    // MARK: Semi-sync

    /// Plugin names that must be installed before the semi-sync variables exist (MySQL),
    /// with the query listing the active ones; empty for MariaDB, where it is built in.
    var semiSyncPlugins: [(name: String, library: String)] { get }
    var activePluginsQuery: SQLStatement { get }
    /// One row per replica connected to this source (`SHOW REPLICAS` / `SHOW SLAVE HOSTS`).
    var connectedReplicasQuery: SQLStatement { get }
    func enableSemiSyncSource(waitCount: Int) -> [SQLStatement]
    var disableSemiSyncSource: [SQLStatement] { get }
    var enableSemiSyncReplica: [SQLStatement] { get }
    var disableSemiSyncReplica: [SQLStatement] { get }

    // MARK: Accounts

    /// Privileges for `account`, as `GRANT` statements for `user@host`.
    func grants(for account: SystemAccount, user: String, host: String) -> [SQLStatement]
    /// MySQL's `super_read_only` refuses `CREATE USER` even to an administrator; account
    /// management relaxes it for the duration (read_only stays on). nil when not needed.
    var adminDDLGuard: (isActive: SQLStatement, relax: SQLStatement, restore: SQLStatement)? { get }
}

/// What the globals query yields.
public struct ObservedGlobals: Sendable, Hashable {
    public var serverID: UInt32?
    public var serverUUID: ServerUUID?
    public var version: String?
    public var readOnly: Bool
    public var superReadOnly: Bool?
    public var executedGTIDs: GTIDState

    public init(serverID: UInt32?, serverUUID: ServerUUID?, version: String?, readOnly: Bool,
                superReadOnly: Bool?, executedGTIDs: GTIDState) {
        self.serverID = serverID
        self.serverUUID = serverUUID
        self.version = version
        self.readOnly = readOnly
        self.superReadOnly = superReadOnly
        self.executedGTIDs = executedGTIDs
    }
}

/// What the replica status yields.
public struct ObservedReplication: Sendable, Hashable {
    public var status: ReplicaStatus
    /// Received by the IO thread (MySQL `Retrieved_Gtid_Set`, MariaDB `Gtid_IO_Pos`).
    public var retrievedGTIDs: GTIDState

    public init(status: ReplicaStatus, retrievedGTIDs: GTIDState) {
        self.status = status
        self.retrievedGTIDs = retrievedGTIDs
    }
}

/// One row of the connection list.
public struct ClientConnection: Sendable, Hashable {
    public var id: UInt64
    public var user: String
    public var command: String

    public init(id: UInt64, user: String, command: String) {
        self.id = id
        self.user = user
        self.command = command
    }
}

/// The dialect of a flavor: the one place that branches on it.
public func engineDialect(for flavor: Flavor) -> any EngineDialect {
    switch flavor {
    case .mysql: MySQLDialect()
    case .mariadb: MariaDBDialect()
    }
}

extension EngineDialect {
    /// Same on both servers: `KILL CONNECTION` ends the session, not just its statement.
    public func kill(_ connectionID: UInt64) -> SQLStatement {
        "KILL CONNECTION \(connectionID)"
    }

    /// Timeouts in SQL are decimal seconds; sub-millisecond parts are dropped, and zero is
    /// raised to 1 ms because some servers read 0 as "wait forever".
    func secondsLiteral(_ duration: Duration) -> String {
        let ms = max(1, duration.wholeMilliseconds)
        let fraction = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
