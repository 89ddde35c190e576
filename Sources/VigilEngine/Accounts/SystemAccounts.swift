extension InstanceOperations {
    /// Creates (or repairs) the system accounts on this instance: idempotent, so it runs on
    /// every start. Existing accounts get their password reset to the requested one and
    /// the grants re-applied; privileges granted by hand beyond those are not revoked
    /// (revoking first would leave a window in which probes and replicas are refused).
    ///
    /// Runs with `sql_log_bin = 0` on every instance rather than once on the primary: the
    /// replication account must exist before replication does, and binlogged account DDL on
    /// a replica would be an errant transaction. Passwords never reach logs or errors.
    public func ensureSystemAccounts(_ request: AccountRequest) async throws(EngineError) {
        var run = OperationRun("ensure system accounts", on: self)
        guard !request.hosts.isEmpty else { throw run.failure(.invalidRequest("no account hosts given")) }
        if let empty = request.passwords.first(where: { $0.value.isEmpty }) {
            throw run.failure(.invalidRequest("empty password for \(empty.key)"))
        }
        try await run.change("SET SESSION sql_log_bin = 0")
        do {
            try await withAdminDDL(&run) { (run: inout OperationRun) async throws(EngineError) in
                for account in SystemAccount.allCases {
                    guard let password = request.passwords[account] else { continue }
                    for host in request.hosts {
                        try await run.change(accountStatements(account, host: host, password: password))
                    }
                }
            }
        } catch {
            // The session may be reused: never leave it unlogged.
            _ = try? await run.change("SET SESSION sql_log_bin = 1")
            throw EngineError(instance: error.instance, operation: error.operation, statement: error.statement,
                              reason: error.reason, applied: run.applied)
        }
        try await run.change("SET SESSION sql_log_bin = 1")
    }

    /// The statements for one `user@host`, in order.
    func accountStatements(_ account: SystemAccount, host: String, password: String) -> [SQLStatement] {
        let user = account.user
        return [
            "CREATE USER IF NOT EXISTS \(account: user, host) IDENTIFIED BY \(secret: password)",
            "ALTER USER \(account: user, host) IDENTIFIED BY \(secret: password)",
        ] + dialect.grants(for: account, user: user, host: host)
    }
}
