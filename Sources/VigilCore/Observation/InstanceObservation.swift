/// Everything one probe learned about one instance, as a plain value. Produced by the
/// observer (IO), consumed by the pure decision core. Fields the probe could not read are
/// nil; an unreachable instance carries only its name and flavor.
public struct InstanceObservation: Sendable, Hashable, Codable {
    public var name: String
    public var reachable: Bool
    public var flavor: Flavor
    public var serverID: UInt32?
    /// MySQL `server_uuid`; nil on MariaDB.
    public var serverUUID: ServerUUID?
    public var version: String?
    public var uptimeSeconds: UInt64?
    public var readOnly: Bool?
    /// MySQL only; nil on MariaDB.
    public var superReadOnly: Bool?
    /// MySQL `gtid_executed`; MariaDB `gtid_current_pos`.
    public var executedGTIDs: GTIDState?
    /// Received by the IO thread: MySQL `Retrieved_Gtid_Set`; MariaDB `Gtid_IO_Pos`.
    public var retrievedGTIDs: GTIDState?
    /// nil when no replication is configured.
    public var replica: ReplicaStatus?
    public var semiSync: SemiSyncState?

    public init(
        name: String,
        reachable: Bool,
        flavor: Flavor,
        serverID: UInt32? = nil,
        serverUUID: ServerUUID? = nil,
        version: String? = nil,
        uptimeSeconds: UInt64? = nil,
        readOnly: Bool? = nil,
        superReadOnly: Bool? = nil,
        executedGTIDs: GTIDState? = nil,
        retrievedGTIDs: GTIDState? = nil,
        replica: ReplicaStatus? = nil,
        semiSync: SemiSyncState? = nil
    ) {
        self.name = name
        self.reachable = reachable
        self.flavor = flavor
        self.serverID = serverID
        self.serverUUID = serverUUID
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.readOnly = readOnly
        self.superReadOnly = superReadOnly
        self.executedGTIDs = executedGTIDs
        self.retrievedGTIDs = retrievedGTIDs
        self.replica = replica
        self.semiSync = semiSync
    }

    /// An instance the probe could not reach.
    public static func unreachable(_ name: String, flavor: Flavor) -> InstanceObservation {
        InstanceObservation(name: name, reachable: false, flavor: flavor)
    }

    /// Accepts writes from ordinary clients: `read_only` known to be OFF and (MySQL)
    /// `super_read_only` not ON. Unknown counts as not writable.
    public var isWritable: Bool {
        readOnly == false && superReadOnly != true
    }

    /// Rules, first match wins:
    /// 1. unreachable → `.unknown` (nothing to go on);
    /// 2. replication configured → `.replica`, even if writable (misconfigured, but it
    ///    follows a source, so it is not the group's primary);
    /// 3. no replication configured and writable → `.primary`;
    /// 4. otherwise (read-only without a source, e.g. a fenced old primary or a fresh
    ///    instance, or `read_only` unknown) → `.unknown`.
    public var roleHint: RoleHint {
        guard reachable else { return .unknown }
        if replica != nil { return .replica }
        return isWritable ? .primary : .unknown
    }
}
