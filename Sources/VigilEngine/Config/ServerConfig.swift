import VigilCore

/// Whether commits wait for a replica's acknowledgement.
public enum SemiSyncMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// AFTER_SYNC with an effectively infinite timeout: a commit returns only once a replica
    /// has the transaction, and never silently falls back to asynchronous replication.
    case lossless
    /// Plain asynchronous replication (opt-in; a failover may lose acknowledged commits).
    case async
}

/// One extra option line for the rendered file. `value == nil` renders a bare flag.
public struct ServerOption: Sendable, Hashable, Codable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// What one instance's option file is rendered from.
public struct ServerConfig: Sendable, Hashable {
    public var instanceName: String
    public var flavor: Flavor
    /// Unique within the group (and across groups replicating into each other); 1…2^32-1.
    public var serverID: UInt32
    public var port: Int
    public var socket: String?
    public var dataDirectory: String
    public var bindAddress: String
    /// What replicas report to their source (`SHOW REPLICAS`); reachable by peers.
    public var reportHost: String
    /// Defaults to `port`.
    public var reportPort: Int?
    public var semiSync: SemiSyncMode
    /// MariaDB only: the replication domain of this group's writes.
    public var gtidDomainID: UInt32
    /// Seconds of silence after which a replica drops its source connection and retries.
    public var replicaNetTimeoutSeconds: Int
    public var pidFile: String?
    public var errorLog: String?
    /// Appended last, in order; validated like every other value.
    public var extra: [ServerOption]

    public init(
        instanceName: String,
        flavor: Flavor,
        serverID: UInt32,
        port: Int,
        socket: String? = nil,
        dataDirectory: String,
        bindAddress: String = "127.0.0.1",
        reportHost: String = "127.0.0.1",
        reportPort: Int? = nil,
        semiSync: SemiSyncMode = .lossless,
        gtidDomainID: UInt32 = 0,
        replicaNetTimeoutSeconds: Int = RepointOptions.defaultNetTimeoutSeconds,
        pidFile: String? = nil,
        errorLog: String? = nil,
        extra: [ServerOption] = []
    ) {
        self.instanceName = instanceName
        self.flavor = flavor
        self.serverID = serverID
        self.port = port
        self.socket = socket
        self.dataDirectory = dataDirectory
        self.bindAddress = bindAddress
        self.reportHost = reportHost
        self.reportPort = reportPort
        self.semiSync = semiSync
        self.gtidDomainID = gtidDomainID
        self.replicaNetTimeoutSeconds = replicaNetTimeoutSeconds
        self.pidFile = pidFile
        self.errorLog = errorLog
        self.extra = extra
    }
}

public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let instance: String
    public let problem: String

    public init(instance: String, problem: String) {
        self.instance = instance
        self.problem = problem
    }

    public var description: String { "\(instance): invalid server configuration: \(problem)" }
}
