/// Why the machine waits for a moment in time.
public enum WaitReason: String, Sendable, Hashable, Codable {
    /// The old primary's self-fencing lease has certainly run out then.
    case leaseExpiry
    /// The anti-flap cooldown ends.
    case cooldown
    /// A failed step is retried.
    case retry
}

/// One thing for the executor to do. Every action whose kind `expectsCompletion` must be
/// answered exactly once with `GroupInput.actionCompleted(id, result)`; the executor bounds
/// each by a timeout and reports a timeout as a failure.
public struct GroupAction: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// Answer an agent's heartbeat with the controller's word. Fire and forget.
        case replyToAgent(String, ControllerWord)
        /// The word changed: ask this agent to heartbeat now rather than at its next interval
        /// (deposition and promotion both wait for agents to hold the new term). Fire and forget.
        case pokeAgent(String)
        /// super_read_only / read_only ON and kill client connections (directly and through
        /// the instance's agent); answer with the observation read back.
        case fence(String)
        /// Switchover: read-only without killing connections; answer with the observation
        /// (its executed GTIDs are what the target must reach).
        case setReadOnly(String)
        /// Switchover rollback: read_only OFF again on the primary that never stopped being it
        /// (again only once its agent holds the word allowing it).
        case setWritable(String)
        /// Stop the replica's IO thread (the SQL thread keeps applying); answer with the
        /// observation (executed and retrieved GTIDs).
        case stopIOThread(String)
        /// A timer, for logs and status: the executor only has to call `tick` by then.
        case waitUntil(Instant, why: WaitReason)
        /// Wait until the candidate applied everything it retrieved, up to `deadline`; answer
        /// with the observation; fail on timeout.
        case drainRelayLog(String, deadline: Instant)
        /// Switchover: wait until the target executed `gtids`, up to `deadline`.
        case waitForGTIDs(String, gtids: GTIDState, deadline: Instant)
        /// Stop and reset replication, read_only OFF; answer with the observation. Issued only
        /// once the instance's agent holds a word allowing it to write, so its lease covers it.
        case promote(String)
        /// Probe the new primary: succeed only if it is reachable and writable.
        case confirmWritable(String)
        /// Route writes to `primary` and reads to `replicas` (router / labels / DNS).
        case moveTraffic(primary: String, replicas: [String])
        /// Replicate from `to`. Containment is checked at execution: the executor reads the
        /// instance's executed ∪ retrieved GTIDs, *then* the source's executed GTIDs (which only
        /// grow), and fails, changing nothing, unless the first are contained in the second.
        case repoint(String, to: String)
        /// Keep it out of traffic and read-only: it holds `errant` transactions (nil when not
        /// known, e.g. replication refused it) that no other instance has.
        case quarantine(String, errant: GTIDState?)
        /// A returning instance (former primary, or a replica that missed a failover) starts
        /// replicating from `source`, with the same containment check as `repoint` unless
        /// `checkContainment` is false (an operator lifted its quarantine).
        case rejoinAsReplica(String, source: String, checkContainment: Bool)
        /// Persist in status and emit as an event. Fire and forget.
        case recordFailover(FailoverRecord)
        case recordSwitchover(SwitchoverRecord)

        public var expectsCompletion: Bool {
            switch self {
            case .replyToAgent, .pokeAgent, .waitUntil, .recordFailover, .recordSwitchover: false
            default: true
            }
        }

        /// The instance the action touches, if one.
        public var instance: String? {
            switch self {
            case .replyToAgent(let name, _), .pokeAgent(let name), .fence(let name), .setReadOnly(let name), .setWritable(let name),
                .stopIOThread(let name), .drainRelayLog(let name, _), .waitForGTIDs(let name, _, _),
                .promote(let name), .confirmWritable(let name), .repoint(let name, _),
                .quarantine(let name, _), .rejoinAsReplica(let name, _, _):
                name
            case .moveTraffic(let primary, _): primary
            case .waitUntil, .recordFailover, .recordSwitchover: nil
            }
        }
    }

    public var id: ActionID
    public var kind: Kind

    public init(id: ActionID, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}
