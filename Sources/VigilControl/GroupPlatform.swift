import VigilCore

/// What a platform does for the shared controller loop besides instance actions: durable
/// status, traffic, records and agent pokes. `vigil local` does these with files and the
/// router; the operator with the MySQLCluster status, pod labels, Services and DNS.
public protocol GroupPlatform: Sendable {
    /// Durably records the decision core's status. Called before any action of the decision
    /// that produced it runs (write-ahead), with strictly newer statuses each time; a failure
    /// is retried (the actions wait).
    func persist(_ status: GroupStatus) async throws
    /// Points clients at `primary` (the machine confirmed it writable).
    func moveTraffic(to primary: String, status: GroupStatus) async -> ActionResult
    /// Failover and switchover records, and other notable decisions, for events and logs.
    func record(_ note: ControllerNote) async
    /// Asks an agent to heartbeat now (the word changed). Fire and forget.
    func pokeAgent(_ name: String)
}

/// Something the controller did or decided that people should see.
public enum ControllerNote: Sendable {
    case failover(FailoverRecord)
    case switchover(SwitchoverRecord)
    case decision(Reason, state: String)
    case actionStarted(ActionID, String)
    case actionFailed(ActionID, String)
}
