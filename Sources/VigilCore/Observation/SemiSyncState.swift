/// Semi-synchronous replication settings and status of one instance. MySQL names them
/// `rpl_semi_sync_source_*` / `_replica_*`, MariaDB `rpl_semi_sync_master_*` / `_slave_*`;
/// the observer maps both here.
public struct SemiSyncState: Sendable, Hashable, Codable {
    /// When the source waits for the acknowledgement (`rpl_semi_sync_*_wait_point`).
    public enum WaitPoint: String, Sendable, Hashable, Codable, CaseIterable {
        /// Lossless: the commit is invisible to other clients until a replica has it.
        case afterSync
        case afterCommit
    }

    /// `rpl_semi_sync_source_enabled` (configured to wait for acknowledgements as a source).
    public var sourceEnabled: Bool
    /// `rpl_semi_sync_replica_enabled` (acknowledges as a replica).
    public var replicaEnabled: Bool
    /// `Rpl_semi_sync_source_status`: ON while the source really waits for acks; OFF when it
    /// fell back to asynchronous replication. nil when not reported.
    public var sourceActive: Bool?
    /// `Rpl_semi_sync_replica_status`. nil when not reported.
    public var replicaActive: Bool?
    /// `Rpl_semi_sync_source_clients`: connected semi-sync replicas.
    public var clients: Int
    /// `rpl_semi_sync_source_wait_for_replica_count` (MySQL only; MariaDB always waits for one).
    public var waitForReplicaCount: Int?
    public var waitPoint: WaitPoint?

    public init(
        sourceEnabled: Bool = false,
        replicaEnabled: Bool = false,
        sourceActive: Bool? = nil,
        replicaActive: Bool? = nil,
        clients: Int = 0,
        waitForReplicaCount: Int? = nil,
        waitPoint: WaitPoint? = nil
    ) {
        self.sourceEnabled = sourceEnabled
        self.replicaEnabled = replicaEnabled
        self.sourceActive = sourceActive
        self.replicaActive = replicaActive
        self.clients = clients
        self.waitForReplicaCount = waitForReplicaCount
        self.waitPoint = waitPoint
    }
}
