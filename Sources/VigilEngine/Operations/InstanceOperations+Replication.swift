import VigilCore
import VigilMySQL

/// How a relay-log drain ended.
public struct DrainResult: Sendable, Hashable {
    /// applied ⊇ retrieved when the wait ended (true for an instance that is no replica).
    public var drained: Bool
    /// What the IO thread had received when the drain started; nil without replication.
    public var retrieved: GTIDState?
    /// Executed GTIDs when the drain ended.
    public var executed: GTIDState
    public var waited: Duration

    public init(drained: Bool, retrieved: GTIDState?, executed: GTIDState, waited: Duration) {
        self.drained = drained
        self.retrieved = retrieved
        self.executed = executed
        self.waited = waited
    }
}

extension InstanceOperations {
    /// Makes this instance a writable primary: stop and forget replication, then lift
    /// read-only. Drain the relay log first (`drainRelayLog`) unless losing what it holds
    /// is acceptable: `RESET REPLICA ALL` discards unapplied relay logs.
    ///
    /// With `semiSyncGroupSize` (lossless mode), semi-sync is switched on *before* the
    /// instance becomes writable, so no commit is ever acknowledged asynchronously in
    /// between; commits then wait until a repointed replica connects and acknowledges.
    public func promote(semiSyncGroupSize: Int? = nil) async throws(EngineError) {
        var run = OperationRun("promote", on: self)
        try await run.change(dialect.stopReplica)
        try await run.change(dialect.resetReplicaAll)
        if let groupSize = semiSyncGroupSize {
            try await enableSemiSyncSource(&run, groupSize: groupSize, requireConnectedReplica: false)
        }
        try await run.change(dialect.setWritable)
    }

    /// Makes this instance replicate from `source` with GTID auto-positioning. The
    /// instance's read-only state is left as it is (a repointed replica should already be
    /// fenced; `fence` first when demoting a primary).
    public func repoint(to source: ReplicationSource, credentials: ReplicationCredentials,
                        options: RepointOptions = RepointOptions()) async throws(EngineError) {
        var run = OperationRun("repoint to \(source)", on: self)
        if let problem = options.validate() { throw run.failure(.invalidRequest(problem)) }
        try await run.change(dialect.stopReplica)
        try await run.change(dialect.configureReplication(source: source, credentials: credentials, options: options))
        try await run.change(dialect.startReplica)
    }

    /// Stops receiving from the source while the SQL thread keeps applying what arrived:
    /// the first step of a switchover or of promoting this replica.
    public func stopIOThread() async throws(EngineError) {
        var run = OperationRun("stop IO thread", on: self)
        try await run.change(dialect.stopIOThread)
    }

    public func startReplication() async throws(EngineError) {
        var run = OperationRun("start replication", on: self)
        try await run.change(dialect.startReplica)
    }

    public func stopReplication() async throws(EngineError) {
        var run = OperationRun("stop replication", on: self)
        try await run.change(dialect.stopReplica)
    }

    /// Waits until this instance has applied `gtids`, at most `timeout`. On timeout throws
    /// `gtidWaitTimedOut` with what the instance had executed by then. On MariaDB the wait
    /// follows the replication SQL thread (`gtid_slave_pos`), so it is for replicas.
    public func waitForGTIDs(_ gtids: GTIDState, timeout: Duration) async throws(EngineError) {
        let run = OperationRun("wait for GTIDs", on: self)
        guard gtids.flavor == flavor else {
            throw run.failure(.invalidRequest("\(gtids.flavor) GTIDs cannot be awaited on a \(flavor) instance"))
        }
        if try await waitApplied(run, gtids, timeout: timeout) { return }
        let had = try? await readExecuted(run)
        throw run.failure(.gtidWaitTimedOut(wanted: gtids, had: had, timeout: timeout),
                          statement: dialect.waitForGTIDs(gtids, timeout: timeout))
    }

    /// Same, with a deadline on the continuous clock.
    public func waitForGTIDs(_ gtids: GTIDState, deadline: ContinuousClock.Instant) async throws(EngineError) {
        try await waitForGTIDs(gtids, timeout: max(.zero, deadline - ContinuousClock.now))
    }

    /// Best effort: waits until everything the IO thread received is applied, at most
    /// `timeout`. Never throws for a timeout — the result says whether it drained; a
    /// caller that must not lose relay-log transactions checks `drained`.
    public func drainRelayLog(timeout: Duration) async throws(EngineError) -> DrainResult {
        let run = OperationRun("drain relay log", on: self)
        let start = ContinuousClock.now
        guard let replication = try await readReplication(run) else {
            return DrainResult(drained: true, retrieved: nil, executed: try await readExecuted(run),
                               waited: ContinuousClock.now - start)
        }
        let retrieved = replication.retrievedGTIDs
        let drained = try await waitApplied(run, retrieved, timeout: timeout)
        return DrainResult(drained: drained, retrieved: retrieved, executed: try await readExecuted(run),
                           waited: ContinuousClock.now - start)
    }

    private func waitApplied(_ run: OperationRun, _ gtids: GTIDState, timeout: Duration) async throws(EngineError) -> Bool {
        let statement = dialect.waitForGTIDs(gtids, timeout: timeout)
        let result = try await run.read(statement)
        return try run.parse(statement) { () throws(ResultParseError) in try dialect.parseWait(result) }
    }
}
