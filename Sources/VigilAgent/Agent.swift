import Foundation
import Logging
import VigilCore

/// `vigil agent`: the process beside one mysqld. It observes the server, heartbeats the
/// controller, pings its peers, applies the self-fencing rules (`SelfFencing`) and serves the
/// role probe, the sidecar API and the exporter.
///
/// All state lives in this actor; IO runs in loops outside it and reports back through
/// `feed(_:)` and `absorb(_:)`, which never suspend, so a decision is never split by IO.
public actor Agent {
    public let config: AgentConfig
    let logger: Logger
    let clock = AgentClock()
    let metrics = AgentMetrics()
    let observer: ServerObserver
    let admin: AdminSession

    var fencing: SelfFencing
    var wakeAt: Instant?
    /// The server state last fed to self-fencing (inputs only on change).
    var fedServerState: ServerProcessState?
    /// Self-fencing asked for a re-read: feed the next look even if unchanged.
    var reReadRequested = false
    var lastLook: ServerLook?
    var lookCount = 0
    /// Counts completed fence / unfence statements. A look that straddles one may have read
    /// `read_only` from before it; fed after the completion it would contradict it (self-fencing
    /// would take a pre-fence "writable" for the controller's promotion), so it is dropped.
    var actionEpoch = 0
    var lookInProgress = false
    var lookWaiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    var peersSeen: [String: PeerRecord] = [:]
    /// Why the last heartbeat did not renew anything (nil after an authenticated answer).
    var lastHeartbeatProblem: String?
    var lastControllerAnswer: ContinuousClock.Instant?
    var lastHeartbeatResult: AgentMetrics.HeartbeatResult?
    var lastLoggedReason: AgentReason?
    var inbox: [AgentInput] = []
    var feeding = false
    var actions: AsyncStream<ActionJob>.Continuation?
    /// `POST /v1/fence` callers waiting for their fence, by job id.
    var requestedFences: [UInt64: CheckedContinuation<FenceResult, Never>] = [:]
    var nextRequestID: UInt64 = 0
    var listening: BoundPorts?
    var isRunning = false

    let probeBell = Doorbell()
    let heartbeatBell = Doorbell()
    let tickBell = Doorbell()

    /// Where the three listeners ended up (useful when configured with port 0).
    public struct BoundPorts: Sendable, Hashable {
        public var host: String
        public var roleProbe: Int
        public var sidecar: Int
        public var metrics: Int

        public init(host: String, roleProbe: Int, sidecar: Int, metrics: Int) {
            self.host = host
            self.roleProbe = roleProbe
            self.sidecar = sidecar
            self.metrics = metrics
        }
    }

    struct PeerRecord: Sendable {
        var lastAnswer: ContinuousClock.Instant?
        var vouch: PeerVouch?
        var lastError: String?
    }

    enum ActionJob: Sendable {
        case perform(AgentAction)
        /// `POST /v1/fence`: fence now, report the result to the caller.
        case requestedFence(id: UInt64)
    }

    public init(config: AgentConfig, logger: Logger = Logger(label: "vigil.agent")) {
        self.config = config
        self.logger = logger
        let access = MySQLAccess(instance: config.instance, flavor: config.flavor, settings: config.mysql, logger: logger)
        // Probes must fail fast (a dead server is detected within about one probe), but not
        // so fast that a busy server looks dead: a few probe intervals, 0.5–2 s.
        let probeTimeout = min(.seconds(2), max(.milliseconds(500), config.serverProbeInterval * 4))
        observer = ServerObserver(access: access, pidFile: config.pidFile, timeout: probeTimeout, clock: clock)
        // A fence statement that takes longer than the escalation window is ambiguous anyway.
        admin = AdminSession(access: access, timeout: max(.milliseconds(500), config.lease.fenceEscalation))
        fencing = SelfFencing(instance: config.instance, contract: config.lease)
    }

    /// The listeners' addresses once `run()` has bound them.
    public var boundPorts: BoundPorts? { listening }

    // MARK: Self-fencing

    /// Hands one input to the self-fencing rules and dispatches what they decide. Inputs that
    /// arrive while a decision is being dispatched (a kill's `.exited`) queue behind it.
    func feed(_ input: AgentInput) {
        inbox.append(input)
        guard !feeding else { return }
        feeding = true
        defer { feeding = false }
        while !inbox.isEmpty {
            let next = inbox.removeFirst()
            let before = fencing.fence
            let termBefore = fencing.term
            let decision = fencing.handle(next, now: clock.now())
            wakeAt = decision.wakeAt
            tickBell.ring()
            report(decision, input: next, before: before, termChanged: fencing.term != termBefore)
            updateFenceMetrics()
            for action in decision.actions { dispatch(action) }
            if AgentReport.Fence(before) != AgentReport.Fence(decision.fence) {
                // The controller should hear about fence changes at once.
                heartbeatBell.ring()
            }
        }
    }

    private func dispatch(_ action: AgentAction) {
        metrics.countAction(action)
        switch action {
        case .fence, .unfence:
            actions?.yield(.perform(action))
        case .reReadServerState:
            reReadRequested = true
            probeBell.ring()
        case .killServer(let reason):
            killServer(reason)
        }
    }

    /// Kills mysqld at once: this is the escalation for a fence that could not be confirmed,
    /// so it must not wait behind the (possibly hung) fence statement.
    private func killServer(_ reason: FenceReason) {
        guard let pidFile = config.pidFile else {
            logger.error("fence unconfirmed and mysqld cannot be killed: no pidFile configured",
                         metadata: ["instance": "\(config.instance)", "reason": "\(reason.rawValue)"])
            return
        }
        switch ProcessControl.killServer(pidFile: pidFile) {
        case .killed(let pid), .alreadyGone(let pid):
            logger.warning("killed mysqld: fence could not be confirmed in time",
                           metadata: ["instance": "\(config.instance)", "pid": "\(pid)", "reason": "\(reason.rawValue)"])
            fedServerState = .exited
            feed(.serverObserved(.exited))
        case .noPID:
            logger.error("fence unconfirmed and mysqld cannot be killed: no pid in \(pidFile)",
                         metadata: ["instance": "\(config.instance)"])
        case .failed(let pid, let why):
            logger.error("fence unconfirmed and killing mysqld failed: \(why)",
                         metadata: ["instance": "\(config.instance)", "pid": "\(pid)"])
        }
    }

    /// Logs every decision that changes something (info), the rest at debug.
    private func report(_ decision: AgentDecision, input: AgentInput, before: FenceState, termChanged: Bool) {
        var metadata: Logger.Metadata = [
            "instance": "\(config.instance)", "reason": "\(decision.reason)", "fence": "\(Self.describe(decision.fence))",
            "term": "\(fencing.term)", "input": "\(Self.describe(input))",
        ]
        if !decision.actions.isEmpty { metadata["actions"] = "\(decision.actions.map(Self.describe))" }
        if termChanged { metadata["primary"] = "\(fencing.primary ?? "none")" }
        let changed = termChanged || before != decision.fence || !decision.actions.filter({ $0 != .reReadServerState }).isEmpty
        if changed {
            logger.info("fence decision", metadata: metadata)
        } else if case .ignoredUnauthenticatedWord = decision.reason, lastLoggedReason != decision.reason {
            logger.warning("ignored a controller word whose signature does not verify", metadata: metadata)
        } else {
            logger.debug("fence decision", metadata: metadata)
        }
        if decision.reason != .unchanged { lastLoggedReason = decision.reason }
    }

    func updateFenceMetrics() {
        metrics.record(fence: fencing.fence, term: fencing.term, leaseRemaining: leaseRemainingSeconds())
    }

    /// Seconds left on the write lease, nil when this instance may not write.
    func leaseRemainingSeconds() -> Double? {
        let now = clock.now()
        guard fencing.mayWrite(at: now), let expiry = fencing.leaseExpiresAt else { return nil }
        return Double((expiry - now).wholeMilliseconds) / 1000
    }

    static func describe(_ fence: FenceState) -> String {
        switch fence {
        case .unfenced: "unfenced"
        case .fencing(let reason, _): "fencing(\(reason.rawValue))"
        case .fenced(let reason): "fenced(\(reason.rawValue))"
        }
    }

    static func describe(_ input: AgentInput) -> String {
        switch input {
        case .started: "started"
        case .controllerWord(let word, _, let authenticated):
            "controllerWord(term: \(word.term), primary: \(word.primary ?? "none"), mayWrite: \(word.primaryMayWrite)"
                + (authenticated ? ")" : ", unauthenticated)")
        case .peerAnswered(let peer, let vouch, _): "peer(\(peer), term: \(vouch.term), vouches: \(vouch.primary ?? "none"))"
        case .serverObserved(let state): "server(\(state))"
        case .fenceCompleted(let result): "fenceCompleted(\(result))"
        case .unfenceCompleted(let result): "unfenceCompleted(\(result))"
        case .tick: "tick"
        }
    }

    static func describe(_ action: AgentAction) -> String {
        switch action {
        case .fence(let reason): "fence(\(reason.rawValue))"
        case .unfence: "unfence"
        case .reReadServerState: "reRead"
        case .killServer(let reason): "kill(\(reason.rawValue))"
        }
    }

    // MARK: Observation

    /// Takes in one look at mysqld: caches it for the endpoints, updates the exporter, and
    /// feeds self-fencing when the server's state changed (or a re-read was asked for).
    func absorb(_ look: ServerLook, epoch: Int) {
        if case .running = look.state, epoch != actionEpoch {
            lookInProgress = false
            probeBell.ring()
            return
        }
        lastLook = look
        metrics.record(look, role: role())
        lookCount += 1
        lookInProgress = false
        resumeLookWaiters()
        let changed = look.state != fedServerState
        if changed || reReadRequested {
            reReadRequested = false
            if changed {
                logger.info("mysqld state", metadata: [
                    "instance": "\(config.instance)", "state": "\(look.state)",
                    "previous": "\(fedServerState.map { "\($0)" } ?? "none")",
                    "problem": "\(look.problem ?? "-")",
                ])
            }
            fedServerState = look.state
            feed(.serverObserved(look.state))
            // Fast death detection: the controller hears about a change within this probe.
            if changed { heartbeatBell.ring() }
        }
    }

    /// Marks a look as begun; returns the action epoch it started in.
    func lookStarted() -> Int {
        lookInProgress = true
        return actionEpoch
    }

    /// Waits for a look that starts after this call (e.g. to answer with fresh state).
    func freshLook() async {
        guard isRunning else { return }
        let target = lookCount + (lookInProgress ? 2 : 1)
        probeBell.ring()
        await withCheckedContinuation { continuation in
            lookWaiters.append((target, continuation))
        }
    }

    private func resumeLookWaiters() {
        let ready = lookWaiters.filter { $0.target <= lookCount }
        lookWaiters.removeAll { $0.target <= lookCount }
        for waiter in ready { waiter.continuation.resume() }
    }

    func resumeAllLookWaiters() {
        let all = lookWaiters
        lookWaiters = []
        for waiter in all { waiter.continuation.resume() }
    }
}
