import NIOConcurrencyHelpers
import Prometheus
import VigilCore

/// The exporter: the agent's own Prometheus registry (never the global one), updated from
/// each look at mysqld and each self-fencing decision, read by `GET /metrics`.
///
/// Names follow mysqld_exporter where one exists (`mysql_up`, `mysql_global_variables_*`,
/// `mysql_slave_status_*`, `mysql_global_status_*`) so existing dashboards work; cumulative
/// server counters end in `_total`, durations in `_seconds`.
final class AgentMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private let up: Gauge
    private let roles: [AgentRole: Gauge]
    private let readOnly: Gauge
    private let superReadOnly: Gauge
    private let lag: Gauge
    private let ioRunning: Gauge
    private let sqlRunning: Gauge
    private let gtidTransactions: Gauge
    private let semiSyncClients: Gauge
    private let semiSyncSourceActive: Gauge
    private let semiSyncWaitSessions: Gauge
    private let semiSyncWaits: Counter
    private let threadsConnected: Gauge
    private let threadsRunning: Gauge
    private let queries: Counter
    private let bytesReceived: Counter
    private let bytesSent: Counter
    private let uptime: Gauge
    private let fenced: Gauge
    private let leaseRemaining: Gauge
    private let term: Gauge
    private let heartbeats: [HeartbeatResult: Counter]
    private let fenceActions: [String: Counter]
    /// Last absolute value seen per server counter, to turn absolutes into increments.
    private let lastCounterValues = NIOLockedValueBox([ObjectIdentifier: Double]())

    enum HeartbeatResult: String, CaseIterable {
        case ok, failed, unauthenticated
    }

    enum PingResult: String {
        case ok, failed, unauthenticated
    }

    init() {
        let registry = self.registry
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
        }
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
        }
        up = gauge("mysql_up", "Whether the last look at mysqld got an answer (1) or not (0).")
        var roles: [AgentRole: Gauge] = [:]
        for role in AgentRole.allCases {
            roles[role] = gauge("vigil_instance_role", "1 for the role the instance plays now (role probe), 0 for the others.",
                                [("role", role.rawValue)])
        }
        self.roles = roles
        readOnly = gauge("mysql_global_variables_read_only", "@@global.read_only (1 on, 0 off).")
        superReadOnly = gauge("mysql_global_variables_super_read_only", "@@global.super_read_only (MySQL; 0 on MariaDB).")
        lag = gauge("mysql_slave_status_seconds_behind_master", "Replication lag in seconds (0 when not a replica or unknown).")
        ioRunning = gauge("mysql_slave_status_slave_io_running", "Replica IO thread connected and running (1) or not (0).")
        sqlRunning = gauge("mysql_slave_status_slave_sql_running", "Replica SQL thread running (1) or not (0).")
        gtidTransactions = gauge("mysql_gtid_executed_transactions", "Transactions in the executed GTID set (sum of its ranges).")
        semiSyncClients = gauge("mysql_semi_sync_source_clients", "Semi-sync replicas connected to this source.")
        semiSyncSourceActive = gauge("mysql_semi_sync_source_status", "Whether the source really waits for acknowledgements (1) or not (0).")
        semiSyncWaitSessions = gauge("mysql_semi_sync_source_wait_sessions", "Sessions waiting for a semi-sync acknowledgement now.")
        semiSyncWaits = counter("mysql_semi_sync_source_transaction_waits_total", "Transactions that waited for a semi-sync acknowledgement.")
        threadsConnected = gauge("mysql_global_status_threads_connected", "Open client connections.")
        threadsRunning = gauge("mysql_global_status_threads_running", "Connections running a statement.")
        queries = counter("mysql_global_status_queries_total", "Statements executed by the server.")
        bytesReceived = counter("mysql_global_status_bytes_received_total", "Bytes received from all clients.")
        bytesSent = counter("mysql_global_status_bytes_sent_total", "Bytes sent to all clients.")
        uptime = gauge("mysql_global_status_uptime_seconds", "Seconds since mysqld started.")
        fenced = gauge("vigil_agent_fenced", "Whether the agent's own fence is in force (1: fencing or fenced).")
        leaseRemaining = gauge("vigil_agent_lease_remaining_seconds", "Seconds left on this instance's write lease (0 when it holds none).")
        term = gauge("vigil_agent_term", "The highest term the agent holds.")
        var heartbeats: [HeartbeatResult: Counter] = [:]
        for result in HeartbeatResult.allCases {
            heartbeats[result] = counter("vigil_agent_heartbeats_total", "Heartbeats to the controller by outcome.",
                                         [("result", result.rawValue)])
        }
        self.heartbeats = heartbeats
        var fenceActions: [String: Counter] = [:]
        for action in ["fence", "unfence", "kill"] {
            fenceActions[action] = counter("vigil_agent_fence_actions_total", "Fence, unfence and kill actions self-fencing asked for.",
                                           [("action", action)])
        }
        self.fenceActions = fenceActions
    }

    // MARK: Updates

    func record(_ look: ServerLook, role: AgentRole) {
        for (candidate, gauge) in roles { gauge.set(to: candidate == role ? 1 : 0) }
        guard let observation = look.observation else {
            up.set(to: 0)
            return
        }
        up.set(to: 1)
        readOnly.set(to: observation.readOnly == true ? 1 : 0)
        superReadOnly.set(to: observation.superReadOnly == true ? 1 : 0)
        if let replica = observation.replica {
            lag.set(to: Double(replica.secondsBehindSource ?? 0))
            ioRunning.set(to: replica.ioThread == .yes ? 1 : 0)
            sqlRunning.set(to: replica.sqlThreadRunning ? 1 : 0)
        } else {
            lag.set(to: 0)
            ioRunning.set(to: 0)
            sqlRunning.set(to: 0)
        }
        if let count = observation.executedTransactionCount { gtidTransactions.set(to: count) }
        if let semiSync = observation.semiSync {
            semiSyncClients.set(to: Double(semiSync.clients))
            semiSyncSourceActive.set(to: semiSync.sourceActive == true ? 1 : 0)
        }
        if let status = look.status {
            if let value = status.threadsConnected { threadsConnected.set(to: value) }
            if let value = status.threadsRunning { threadsRunning.set(to: value) }
            if let value = status.uptimeSeconds { uptime.set(to: value) }
            if let value = status.semiSyncWaitSessions { semiSyncWaitSessions.set(to: value) }
            advance(queries, to: status.queries)
            advance(bytesReceived, to: status.bytesReceived)
            advance(bytesSent, to: status.bytesSent)
            advance(semiSyncWaits, to: status.semiSyncTransactionWaits)
        }
    }

    func record(fence: FenceState, term value: UInt64, leaseRemaining seconds: Double?) {
        fenced.set(to: fence.isFenced ? 1 : 0)
        term.set(to: Double(value))
        leaseRemaining.set(to: max(0, seconds ?? 0))
    }

    func record(role: AgentRole) {
        for (candidate, gauge) in roles { gauge.set(to: candidate == role ? 1 : 0) }
    }

    func countHeartbeat(_ result: HeartbeatResult) {
        heartbeats[result]?.increment()
    }

    func countPing(peer: String, _ result: PingResult) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "vigil_agent_peer_pings_total", unitName: "",
                                             helpText: "Pings to peers by peer and outcome."),
            labels: [("peer", peer), ("result", result.rawValue)]
        ).increment()
    }

    func countAction(_ action: AgentAction) {
        let name: String =
            switch action {
            case .fence: "fence"
            case .unfence: "unfence"
            case .killServer: "kill"
            case .reReadServerState: ""
            }
        fenceActions[name]?.increment()
    }

    func text() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// Moves a counter to a server's absolute value; a smaller value means the server
    /// restarted, which Prometheus understands as a counter reset.
    private func advance(_ counter: Counter, to value: Double?) {
        guard let value else { return }
        let key = ObjectIdentifier(counter)
        let previous = lastCounterValues.withLockedValue { values in
            defer { values[key] = value }
            return values[key]
        }
        if let previous, value >= previous {
            if value > previous { counter.increment(by: value - previous) }
        } else {
            counter.reset()
            if value > 0 { counter.increment(by: value) }
        }
    }
}
