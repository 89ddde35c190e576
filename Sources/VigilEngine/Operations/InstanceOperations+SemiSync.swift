import VigilMySQL

extension InstanceOperations {
    /// Lossless semi-sync on a primary: AFTER_SYNC, no fallback to async, waiting for
    /// `SemiSyncSettings.waitCount(groupSize:)` acknowledgements (MySQL; MariaDB always
    /// waits for one). From here on every commit blocks until a replica has it, so by
    /// default this refuses while no replica is connected (create accounts and schema
    /// first). `promote(semiSyncGroupSize:)` skips that check on purpose.
    public func enableSemiSyncSource(groupSize: Int, requireConnectedReplica: Bool = true) async throws(EngineError) {
        var run = OperationRun("enable semi-sync source", on: self)
        try await enableSemiSyncSource(&run, groupSize: groupSize, requireConnectedReplica: requireConnectedReplica)
    }

    func enableSemiSyncSource(_ run: inout OperationRun, groupSize: Int, requireConnectedReplica: Bool) async throws(EngineError) {
        guard groupSize >= 2 else {
            throw run.failure(.invalidRequest("semi-sync needs a replica; a group of \(groupSize) would block every commit"))
        }
        if requireConnectedReplica {
            let replicas = try await run.read(dialect.connectedReplicasQuery)
            guard !replicas.rows.isEmpty else {
                throw run.failure(.invalidRequest("no replica is connected; lossless semi-sync would block every commit"),
                                  statement: dialect.connectedReplicasQuery)
            }
        }
        try await installSemiSyncPlugins(&run)
        try await run.change(dialect.enableSemiSyncSource(waitCount: SemiSyncSettings.waitCount(groupSize: groupSize)))
    }

    public func disableSemiSyncSource() async throws(EngineError) {
        var run = OperationRun("disable semi-sync source", on: self)
        try await installSemiSyncPlugins(&run)
        try await run.change(dialect.disableSemiSyncSource)
    }

    /// The replica side: acknowledge what is received. The setting is read when the IO
    /// thread connects, so a running IO thread is restarted for it to take effect.
    public func enableSemiSyncReplica() async throws(EngineError) {
        var run = OperationRun("enable semi-sync replica", on: self)
        try await installSemiSyncPlugins(&run)
        try await run.change(dialect.enableSemiSyncReplica)
        try await restartIOThreadIfRunning(&run)
    }

    public func disableSemiSyncReplica() async throws(EngineError) {
        var run = OperationRun("disable semi-sync replica", on: self)
        try await installSemiSyncPlugins(&run)
        try await run.change(dialect.disableSemiSyncReplica)
        try await restartIOThreadIfRunning(&run)
    }

    private func restartIOThreadIfRunning(_ run: inout OperationRun) async throws(EngineError) {
        guard let replication = try await readReplication(run), replication.status.ioThread != .no else { return }
        try await run.change(dialect.stopIOThread)
        try await run.change(dialect.startIOThread)
    }

    /// MySQL loads semi-sync as plugins; both are installed everywhere because roles change.
    func installSemiSyncPlugins(_ run: inout OperationRun) async throws(EngineError) {
        let plugins = dialect.semiSyncPlugins
        guard !plugins.isEmpty else { return }
        let result = try await run.read(dialect.activePluginsQuery)
        let active = Set(result.rows.compactMap { $0.string(0)?.lowercased() })
        let missing = plugins.filter { !active.contains($0.name.lowercased()) }
        guard !missing.isEmpty else { return }
        // INSTALL PLUGIN writes mysql.plugin, which super_read_only refuses.
        try await withAdminDDL(&run) { (run: inout OperationRun) async throws(EngineError) in
            for plugin in missing {
                try await run.change("INSTALL PLUGIN \(raw: plugin.name) SONAME \(literal: plugin.library)")
            }
        }
    }
}
