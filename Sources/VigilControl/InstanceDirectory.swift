import VigilEngine

/// Where the controller reaches each instance: its MySQL server, the address replicas use as
/// their source, and its agent's sidecar API. Locally these are loopback ports (with fault
/// links, one per pair: the address depends on who connects); on Kubernetes, pod IPs and
/// headless-Service names.
public protocol InstanceDirectory: Sendable {
    func mysqlEndpoint(_ name: String) -> (host: String, port: Int)?
    /// The address `replica` uses to replicate from `name`.
    func replicationSource(_ name: String, for replica: String) -> ReplicationSource?
    func agentSidecarURL(_ name: String) -> String?
}

/// What the executor needs besides addresses: the accounts it acts with and the group's shape.
public struct ActionSettings: Sendable {
    public var adminUser: String
    public var adminPassword: String
    public var agentToken: String
    public var replication: ReplicationCredentials
    /// Lossless semi-sync: replicas acknowledge, promotion sizes the wait by the group.
    public var semiSync: Bool
    public var groupSize: Int
    public var programName: String

    public init(adminUser: String, adminPassword: String, agentToken: String, replication: ReplicationCredentials,
                semiSync: Bool, groupSize: Int, programName: String = "vigil-controller") {
        self.adminUser = adminUser
        self.adminPassword = adminPassword
        self.agentToken = agentToken
        self.replication = replication
        self.semiSync = semiSync
        self.groupSize = groupSize
        self.programName = programName
    }
}
