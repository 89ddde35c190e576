/// One transaction: written on instance `origin` as its `ordinal`-th own write.
struct SimTxn: Hashable, CustomStringConvertible {
    var origin: Int
    var ordinal: UInt64

    var description: String { "t\(origin).\(ordinal)" }
}

enum SimProcess: Equatable {
    case running
    case paused
    case killed
}

/// One MySQL / MariaDB instance as the simulation sees it: a binlog history, a relay log,
/// flags. `executed` is what `gtid_executed` / `gtid_current_pos` show.
struct SimInstance {
    let index: Int
    let name: String
    var process: SimProcess = .running
    var executed: [SimTxn] = []
    /// Received, not yet applied.
    var relay: [SimTxn] = []
    var readOnly = true
    var source: Int?
    var ioRunning = false
    /// MariaDB strict mode refused the source's history.
    var replicationError = false
    /// Relay-log transactions applied per step (0: a stalled replica).
    var applyRate = 4
    var ownWrites: UInt64 = 0
    /// Writes on this instance waiting for a semi-sync acknowledgement, with their index in
    /// `executed`.
    var pendingAcks: [(txn: SimTxn, index: Int)] = []

    var held: [SimTxn] { executed + relay }
    var heldCount: Int { executed.count + relay.count }

    /// The `position`-th transaction of `held`, without building it.
    func held(at position: Int) -> SimTxn? {
        guard position >= 0 else { return nil }
        if position < executed.count { return executed[position] }
        let relayPosition = position - executed.count
        return relayPosition < relay.count ? relay[relayPosition] : nil
    }
    var answers: Bool { process == .running }
    var isWritable: Bool { process == .running && !readOnly }
}
