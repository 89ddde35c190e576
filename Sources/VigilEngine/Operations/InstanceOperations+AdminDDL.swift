extension InstanceOperations {
    /// Runs `body` with whatever read-only mode refuses administrative DDL relaxed, and
    /// restores it afterwards, also when `body` fails. On MySQL that is `super_read_only`
    /// (plain `read_only` stays on, so ordinary clients still cannot write); MariaDB needs
    /// nothing because `read_only` does not apply to READ ONLY ADMIN holders.
    func withAdminDDL(
        _ run: inout OperationRun,
        _ body: (inout OperationRun) async throws(EngineError) -> Void
    ) async throws(EngineError) {
        guard let guardStatements = dialect.adminDDLGuard else {
            try await body(&run)
            return
        }
        let result = try await run.read(guardStatements.isActive)
        let active = result.rows.first.flatMap { $0.string(0) }.flatMap(ServerText.flag) ?? false
        guard active else {
            try await body(&run)
            return
        }
        try await run.change(guardStatements.relax)
        do {
            try await body(&run)
        } catch {
            // Best effort: the original failure is what the caller needs to see; whether
            // the restore worked shows in the error's `applied` list.
            _ = try? await run.change(guardStatements.restore)
            throw EngineError(instance: error.instance, operation: error.operation, statement: error.statement,
                              reason: error.reason, applied: run.applied)
        }
        try await run.change(guardStatements.restore)
    }
}
