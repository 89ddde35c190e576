import Foundation
import VigilCore

/// What one look at mysqld found: its process state and, when it answered, the observation
/// and the status counters the exporter needs.
struct ServerLook: Sendable {
    var state: ServerProcessState
    var observation: InstanceObservation?
    var status: GlobalStatus?
    /// Why the look did not yield an observation (for logs and `/status`), never a secret.
    var problem: String?
    /// Agent clock and wall clock of the look.
    var at: Instant
    var wallClock: Date
}

/// The subset of `SHOW GLOBAL STATUS` the exporter reports and `InstanceObservation` lacks.
struct GlobalStatus: Sendable, Hashable {
    var threadsConnected: Double?
    var threadsRunning: Double?
    var queries: Double?
    var bytesReceived: Double?
    var bytesSent: Double?
    var uptimeSeconds: Double?
    /// Sessions waiting for a semi-sync acknowledgement right now (source side).
    var semiSyncWaitSessions: Double?
    /// Transactions that waited for an acknowledgement since start (source side).
    var semiSyncTransactionWaits: Double?

    /// Both flavors: MariaDB names semi-sync counters `master`, MySQL 8.4+ `source`.
    static let query = """
        SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_connected', 'Threads_running', 'Queries', \
        'Bytes_received', 'Bytes_sent', 'Uptime', 'Rpl_semi_sync_master_wait_sessions', \
        'Rpl_semi_sync_source_wait_sessions', 'Rpl_semi_sync_master_tx_waits', 'Rpl_semi_sync_source_tx_waits')
        """

    init(pairs: [String: String]) {
        func value(_ names: String...) -> Double? {
            for name in names { if let text = pairs[name], let number = Double(text) { return number } }
            return nil
        }
        threadsConnected = value("threads_connected")
        threadsRunning = value("threads_running")
        queries = value("queries")
        bytesReceived = value("bytes_received")
        bytesSent = value("bytes_sent")
        uptimeSeconds = value("uptime")
        semiSyncWaitSessions = value("rpl_semi_sync_source_wait_sessions", "rpl_semi_sync_master_wait_sessions")
        semiSyncTransactionWaits = value("rpl_semi_sync_source_tx_waits", "rpl_semi_sync_master_tx_waits")
    }
}

extension InstanceObservation {
    /// Read-only as self-fencing means it: `read_only` on, and on MySQL `super_read_only` too
    /// (otherwise an administrator could still write). nil when unknown.
    var fencedReadOnly: Bool? {
        guard let readOnly else { return nil }
        if flavor == .mysql { return readOnly && superReadOnly == true }
        return readOnly
    }

    /// Number of transactions in the executed GTID set: the sum of its ranges (MySQL), the
    /// sum of per-domain sequence numbers (MariaDB).
    var executedTransactionCount: Double? {
        switch executedGTIDs {
        case .mysql(let set)?: Double(set.count)
        case .mariadb(let position)?: position.gtids.reduce(0) { $0 + Double($1.sequence) }
        case nil: nil
        }
    }
}
