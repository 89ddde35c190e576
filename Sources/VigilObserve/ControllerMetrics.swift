import NIOConcurrencyHelpers
import Prometheus

/// The controller's Prometheus metrics (`GET /metrics`), shared by `vigil local` and the
/// operator. Its own registry (never the global one). Every per-group series carries a `group`
/// label so one operator can export many groups; units are in the names (`_seconds`), counters
/// end in `_total`.
public final class ControllerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public static let roles = ["primary", "replica", "fenced", "down"]
    static let stepBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]
    static let probeBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
    ]
    /// Fine buckets around the 1 s probe interval: the bench reads lateness from these.
    static let roundIntervalBuckets: [Duration] = [
        .milliseconds(900), .milliseconds(990), .milliseconds(1000), .milliseconds(1005), .milliseconds(1010),
        .milliseconds(1025), .milliseconds(1050), .milliseconds(1100), .milliseconds(1250), .milliseconds(1500),
        .seconds(2), .seconds(5),
    ]

    /// Label sets already set to a value, so a vanished one can be zeroed rather than left stale.
    private let seenStates = NIOLockedValueBox([String: Set<String>]())

    public init() {}

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func histogram(_ name: String, _ help: String, _ labels: [(String, String)], _ buckets: [Duration]) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help),
                                       labels: labels, buckets: buckets)
    }

    // MARK: groups and instances

    /// `vigil_group_state{group,state}`: 1 for the decision core's current state, 0 for states seen before.
    public func setGroupState(group: String, state: String) {
        let known = seenStates.withLockedValue { seen in
            seen[group, default: []].insert(state)
            return seen[group]!
        }
        for s in known {
            gauge("vigil_group_state", "1 for the state the group's decision core is in (healthy, suspect, failingOver, …), 0 otherwise.",
                  [("group", group), ("state", s)]).set(s == state ? 1.0 : 0.0)
        }
        gauge("vigil_groups", "Groups this controller runs.", []).set(Double(seenStates.withLockedValue { $0.count }))
    }

    /// `vigil_instances{group,role,health}`: how many instances play each role, healthy or not.
    public func setInstances(group: String, _ instances: [(role: String, healthy: Bool)]) {
        for role in Self.roles {
            for healthy in [true, false] {
                let n = instances.filter { $0.role == role && $0.healthy == healthy }.count
                gauge("vigil_instances", "Instances by role (primary, replica, fenced, down) and health.",
                      [("group", group), ("role", role), ("health", healthy ? "healthy" : "unhealthy")]).set(Double(n))
            }
        }
    }

    public func setReplicationLag(group: String, instance: String, seconds: Double?) {
        gauge("vigil_replication_lag_seconds", "Seconds_Behind_Master as the controller last read it (-1 when unknown or not a replica).",
              [("group", group), ("instance", instance)]).set(seconds ?? -1)
    }

    public func setTerm(group: String, _ term: UInt64) {
        gauge("vigil_term", "The group's current term (increases with each failover or switchover).", [("group", group)]).set(Double(term))
    }

    // MARK: failovers, switchovers, cooldown

    public func failover(group: String, reason: String, outcome: String, duration: Duration, steps: [(step: String, duration: Duration)]) {
        counter("vigil_failovers_total", "Failovers by what proved the primary's failure and how they ended.",
                [("group", group), ("reason", reason), ("outcome", outcome)]).increment()
        histogram("vigil_failover_duration_seconds", "From the failover's start to the new primary confirmed writable.",
                  [("group", group)], Self.stepBuckets).recordNanoseconds(duration.nanoseconds)
        for (step, d) in steps {
            histogram("vigil_failover_step_duration_seconds", "Time spent in each failover step (isolating, awaitingLease, choosing, draining, promoting, confirming, repointing).",
                      [("group", group), ("step", step)], Self.stepBuckets).recordNanoseconds(d.nanoseconds)
        }
    }

    public func switchover(group: String, reason: String, outcome: String, writesBlocked: Duration, steps: [(step: String, duration: Duration)]) {
        counter("vigil_switchovers_total", "Planned switchovers by who asked and how they ended.",
                [("group", group), ("reason", reason), ("outcome", outcome)]).increment()
        histogram("vigil_switchover_write_block_seconds", "How long writes were refused during a switchover.",
                  [("group", group)], Self.stepBuckets).recordNanoseconds(writesBlocked.nanoseconds)
        for (step, d) in steps {
            histogram("vigil_switchover_step_duration_seconds", "Time spent in each switchover step.",
                      [("group", group), ("step", step)], Self.stepBuckets).recordNanoseconds(d.nanoseconds)
        }
    }

    /// Remaining anti-flap cooldown (0 outside one); the total counter grows by `elapsed` while in one.
    public func cooldown(group: String, remaining: Duration, elapsed: Duration) {
        gauge("vigil_cooldown_remaining_seconds", "Seconds until an automatic failover is allowed again (0: not in cooldown).",
              [("group", group)]).set(remaining.seconds)
        let total = counter("vigil_cooldown_seconds_total", "Seconds the group has spent in failover cooldown.", [("group", group)])
        if remaining > .zero, elapsed > .zero { total.increment(by: elapsed.seconds) }
    }

    // MARK: probes and the control loop

    public func probe(group: String, instance: String, duration: Duration, ok: Bool) {
        histogram("vigil_probe_duration_seconds", "How long one probe of an instance took (answered or not).",
                  [("group", group), ("instance", instance)], Self.probeBuckets).recordNanoseconds(duration.nanoseconds)
        let errors = counter("vigil_probe_errors_total", "Probes that got no usable answer.", [("group", group), ("instance", instance)])
        if !ok { errors.increment() }
    }

    /// One pass of the control loop (probe round and decision): its duration, and the time
    /// since the previous pass started (ideally the probe interval; more means the loop was late).
    public func reconcile(group: String, duration: Duration, sincePrevious: Duration?) {
        counter("vigil_reconcile_total", "Passes of the control loop (observe, decide, act).", [("group", group)]).increment()
        _ = reconcileErrors(group)
        histogram("vigil_reconcile_duration_seconds", "How long one pass of the control loop took.",
                  [("group", group)], Self.probeBuckets).recordNanoseconds(duration.nanoseconds)
        if let sincePrevious {
            histogram("vigil_probe_round_interval_seconds", "Time between the starts of consecutive probe rounds (the probe interval when on time).",
                      [("group", group)], Self.roundIntervalBuckets).recordNanoseconds(sincePrevious.nanoseconds)
        }
    }

    public func reconcileError(group: String) {
        reconcileErrors(group).increment()
    }

    private func reconcileErrors(_ group: String) -> Counter {
        counter("vigil_reconcile_errors_total", "Actions or writes of the control loop that failed.", [("group", group)])
    }

    /// An action the controller ran for the decision core (fence, promote, repoint, …).
    public func action(group: String, action: String, succeeded: Bool, duration: Duration) {
        counter("vigil_actions_total", "Actions executed for the decision core, by kind and outcome.",
                [("group", group), ("action", action), ("outcome", succeeded ? "succeeded" : "failed")]).increment()
        histogram("vigil_action_duration_seconds", "How long each kind of action took.",
                  [("group", group), ("action", action)], Self.stepBuckets).recordNanoseconds(duration.nanoseconds)
    }

    /// The controller fenced (or quarantined) an instance.
    public func fenceEvent(group: String, instance: String, kind: String, succeeded: Bool) {
        counter("vigil_fence_events_total", "Fences issued by the controller (fence, quarantine), by outcome.",
                [("group", group), ("instance", instance), ("kind", kind), ("outcome", succeeded ? "succeeded" : "failed")]).increment()
    }

    // MARK: traffic and observers

    /// Active client connections through the built-in router per port (read-write, read-only) and target.
    public func setRouterConnections(group: String, port: String, byTarget: [String: Int], targets: [String]) {
        for target in Set(targets).union(byTarget.keys) {
            gauge("vigil_router_connections", "Client connections open through the router, by port and target instance.",
                  [("group", group), ("port", port), ("target", target)]).set(Double(byTarget[target] ?? 0))
        }
    }

    public func setRouterTotals(group: String, port: String, accepted: Int, refused: Int) {
        gauge("vigil_router_accepted_connections", "Client connections the router accepted since it started.",
              [("group", group), ("port", port)]).set(Double(accepted))
        gauge("vigil_router_refused_connections", "Client connections the router refused (no target) since it started.",
              [("group", group), ("port", port)]).set(Double(refused))
    }

    /// The status WebSocket's clients, snapshots sent, and clients dropped for being slow or refused at the cap.
    public func setBroadcast(_ stats: StatusBroadcaster.Stats) {
        gauge("vigil_status_clients", "WebSocket clients connected to /ws/status.", []).set(Double(stats.clients))
        gauge("vigil_status_published", "Status snapshots published since start.", []).set(Double(stats.published))
        gauge("vigil_status_clients_dropped", "WebSocket clients dropped for not keeping up, since start.", []).set(Double(stats.dropped))
        gauge("vigil_status_clients_refused", "WebSocket clients refused at the client cap, since start.", []).set(Double(stats.refused))
    }

    public func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}
