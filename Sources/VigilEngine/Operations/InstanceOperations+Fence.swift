import VigilMySQL

/// What fencing did.
public struct FenceReport: Sendable, Hashable {
    public var reason: String
    /// Client connections ended, in the order they were killed.
    public var killed: [ClientConnection]

    public init(reason: String, killed: [ClientConnection]) {
        self.reason = reason
        self.killed = killed
    }
}

extension InstanceOperations {
    /// Users whose connections fencing leaves alone: Vigil's own accounts (its admin
    /// session, probes, replication) and the server's replication threads.
    public static var defaultFenceExemptUsers: Set<String> {
        SystemAccount.userNames.union(["system user", "event_scheduler"])
    }

    /// Stops all client writes: kill client connections, make the instance read-only, then
    /// kill the connections that slipped in meanwhile.
    ///
    /// The first kill is not cosmetic. Setting read_only waits for commits in progress, and
    /// under lossless semi-sync a primary that lost its replicas has commits waiting forever
    /// for an acknowledgement: `SET GLOBAL read_only` would hang behind them. Killing those
    /// sessions ends their wait (the client gets an error, never an acknowledgement).
    /// Replication connections (binlog dump, replica threads) stay so replicas can drain.
    @discardableResult
    public func fence(reason: String, exemptUsers: Set<String> = InstanceOperations.defaultFenceExemptUsers)
        async throws(EngineError) -> FenceReport
    {
        var run = OperationRun("fence", on: self)
        logger.notice("fencing", metadata: ["instance": "\(instance)", "reason": "\(reason)"])
        var killed = try await killClients(&run, exemptUsers: exemptUsers)
        try await run.change(dialect.setReadOnly)
        killed += try await killClients(&run, exemptUsers: exemptUsers)
        return FenceReport(reason: reason, killed: killed)
    }

    /// Kills every client connection except exempt users, replication and our own.
    @discardableResult
    public func killClientConnections(exemptUsers: Set<String> = InstanceOperations.defaultFenceExemptUsers)
        async throws(EngineError) -> [ClientConnection]
    {
        var run = OperationRun("kill client connections", on: self)
        return try await killClients(&run, exemptUsers: exemptUsers)
    }

    private func killClients(_ run: inout OperationRun, exemptUsers: Set<String>) async throws(EngineError) -> [ClientConnection] {
        let statement = dialect.connectionsQuery
        let result = try await run.read(statement)
        let victims = try run.parse(statement) { () throws(ResultParseError) in
            try FencePolicy.connectionsToKill(result, exemptUsers: exemptUsers)
        }
        var killed: [ClientConnection] = []
        for victim in victims {
            do {
                try await run.change(dialect.kill(victim.id))
                killed.append(victim)
            } catch where error.serverError?.code == FencePolicy.unknownThread {
                continue  // it ended by itself between the listing and the kill
            }
        }
        return killed
    }
}

/// Which connections fencing ends. Pure, so it is tested without a server.
public enum FencePolicy {
    /// ER_NO_SUCH_THREAD: the connection is already gone.
    public static let unknownThread: UInt16 = 1094

    /// Commands of replication connections: dump threads feeding replicas (whatever user
    /// they authenticated as) and the replica's own threads.
    static let replicationCommands: Set<String> = [
        "binlog dump", "binlog dump gtid", "slave_io", "slave_sql", "slave_worker", "daemon",
    ]

    public static func connectionsToKill(_ result: MySQLResult, exemptUsers: Set<String>) throws(ResultParseError) -> [ClientConnection] {
        var victims: [ClientConnection] = []
        for row in result.rows {
            guard let id = row.optionalUInt("ID") else { throw .unexpected("processlist row without ID") }
            let user = row.optionalString("USER") ?? ""
            let command = row.optionalString("COMMAND") ?? ""
            if let own = row.optionalUInt("SELF"), own == id { continue }
            if exemptUsers.contains(user) { continue }
            if replicationCommands.contains(command.lowercased()) { continue }
            victims.append(ClientConnection(id: id, user: user, command: command))
        }
        return victims
    }
}

extension InstanceOperations {
    /// `read_only` (and on MySQL `super_read_only`) ON without killing anyone: a switchover's
    /// first step, so sessions see an error on their next write rather than a dropped link.
    public func setReadOnly() async throws(EngineError) {
        var run = OperationRun("set read-only", on: self)
        try await run.change(dialect.setReadOnly)
    }

    /// `read_only` OFF: only for the instance the controller names primary.
    public func setWritable() async throws(EngineError) {
        var run = OperationRun("set writable", on: self)
        try await run.change(dialect.setWritable)
    }
}
