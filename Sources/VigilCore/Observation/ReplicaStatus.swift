/// What `SHOW REPLICA STATUS` (MySQL) / `SHOW SLAVE STATUS` (MariaDB) says, reduced to what
/// decisions need. Present on an observation only when replication is configured.
public struct ReplicaStatus: Sendable, Hashable, Codable {
    /// `Replica_IO_Running` / `Slave_IO_Running`.
    public enum IOThreadState: String, Sendable, Hashable, Codable, CaseIterable {
        case yes
        case no
        /// Started but not connected to the source (source down, auth failure, network).
        case connecting

        /// Reads the server's text (`Yes`, `No`, `Connecting`, any case); nil for anything else.
        public init?(serverText: String) {
            self.init(rawValue: serverText.lowercased())
        }
    }

    public var sourceHost: String
    public var sourcePort: Int
    public var ioThread: IOThreadState
    public var sqlThreadRunning: Bool
    /// nil when the server reports NULL (SQL thread stopped or IO thread not connected).
    public var secondsBehindSource: UInt64?
    /// nil when the server reports no error.
    public var lastIOError: String?
    public var lastSQLError: String?
    /// MySQL `Auto_Position=1`; MariaDB `Using_Gtid` other than `No`.
    public var usingGTID: Bool

    public init(
        sourceHost: String,
        sourcePort: Int,
        ioThread: IOThreadState,
        sqlThreadRunning: Bool,
        secondsBehindSource: UInt64? = nil,
        lastIOError: String? = nil,
        lastSQLError: String? = nil,
        usingGTID: Bool = true
    ) {
        self.sourceHost = sourceHost
        self.sourcePort = sourcePort
        self.ioThread = ioThread
        self.sqlThreadRunning = sqlThreadRunning
        self.secondsBehindSource = secondsBehindSource
        self.lastIOError = lastIOError
        self.lastSQLError = lastSQLError
        self.usingGTID = usingGTID
    }

    /// Both threads running: the replica is receiving and applying.
    public var isReplicating: Bool { ioThread == .yes && sqlThreadRunning }
}
