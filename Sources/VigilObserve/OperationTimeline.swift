/// A failover or switchover as the dashboard draws it: the decision core's steps (phases, the
/// same timings the step histogram records) and every action the executor ran, each with its
/// start offset and duration. Times are milliseconds since the Unix epoch so the type does
/// not depend on any clock.
public struct OperationTimeline: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var instance: String?
        /// Milliseconds after the operation started.
        public var offsetMs: Int64
        /// nil while running.
        public var durationMs: Int64?
        /// running, succeeded, failed
        public var outcome: String
        /// The executor's action id (actions only).
        public var id: UInt64?

        public init(name: String, instance: String? = nil, offsetMs: Int64, durationMs: Int64?, outcome: String, id: UInt64? = nil) {
            self.id = id
            self.name = name
            self.instance = instance
            self.offsetMs = offsetMs
            self.durationMs = durationMs
            self.outcome = outcome
        }
    }

    /// failover or switchover
    public var kind: String
    public var from: String?
    public var to: String?
    public var reason: String
    public var startedAtMs: Int64
    /// nil while in progress.
    public var durationMs: Int64?
    /// running, completed, rolledBack, abandoned, candidateFailed, …
    public var outcome: String
    public var phases: [Step] = []
    public var actions: [Step] = []

    public init(kind: String, from: String?, to: String?, reason: String, startedAtMs: Int64) {
        self.kind = kind
        self.from = from
        self.to = to
        self.reason = reason
        self.startedAtMs = startedAtMs
        self.outcome = "running"
    }

    public var isRunning: Bool { outcome == "running" }

    /// An action began (keyed by the executor's action id).
    public mutating func actionStarted(id: UInt64, name: String, instance: String?, atMs: Int64) {
        actions.append(Step(name: name, instance: instance, offsetMs: atMs - startedAtMs, durationMs: nil, outcome: "running", id: id))
    }

    /// An action ended; returns whether it belonged to this timeline.
    @discardableResult
    public mutating func actionEnded(id: UInt64, succeeded: Bool, atMs: Int64) -> Bool {
        guard let i = actions.lastIndex(where: { $0.id == id && $0.outcome == "running" }) else { return false }
        actions[i].durationMs = atMs - startedAtMs - actions[i].offsetMs
        actions[i].outcome = succeeded ? "succeeded" : "failed"
        return true
    }

    /// Replaces the phases with the decision core's step timings (absolute epoch ms), plus the
    /// step now running if any.
    public mutating func setPhases(_ timings: [(name: String, startMs: Int64, endMs: Int64)], current: (name: String, startMs: Int64)?) {
        phases = timings.map { Step(name: $0.name, offsetMs: $0.startMs - startedAtMs, durationMs: $0.endMs - $0.startMs, outcome: "succeeded") }
        if let current {
            phases.append(Step(name: current.name, offsetMs: current.startMs - startedAtMs, durationMs: nil, outcome: "running"))
        }
    }

    public mutating func finish(outcome: String, to: String?, atMs: Int64) {
        self.outcome = outcome
        if let to { self.to = to }
        durationMs = atMs - startedAtMs
        for i in actions.indices where actions[i].outcome == "running" {
            actions[i].outcome = "unfinished"
        }
    }
}
