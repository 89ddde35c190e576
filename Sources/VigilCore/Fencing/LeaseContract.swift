/// The timing contract between the agents' self-fencing (`SelfFencing`) and the controller's
/// failover (`GroupStateMachine`). This is the one place it is written down; both sides read
/// their numbers from here, so they cannot drift apart.
///
/// ## Clock assumptions
/// - Every host measures time with its own monotonic clock. No wall clock is shared and no
///   `Instant` ever crosses hosts: an agent's instants are its own, the controller's are its own.
/// - Clock *rates* differ from real time by at most `maxClockDriftRate` (NTP-disciplined hosts
///   are near 1e-5; the default allows 1e-3). Offsets are arbitrary and never compared.
/// - Messages may be delayed, reordered or lost, but not forged: controller words and mutating
///   agent calls are authenticated (bearer token).
/// - The instance's configuration starts mysqld read-only (`super_read_only=ON` / `read_only=ON`),
///   so a restarted server never comes up writable on its own.
///
/// ## Agent side (`SelfFencing`)
/// - A lease renewal counts from the moment the agent *sent* the request whose answer renewed
///   it (controller heartbeat or peer ping), never from the answer's arrival. Every renewal is
///   therefore causally before the moment the controller or peer granted it.
/// - Only the controller's authenticated word (`ControllerWord`) can allow writes. Peers can only
///   extend a lease the controller granted in the same term: a peer vouches for the primary its
///   own controller word names, and only for `peerVouchWindow` after the request that fetched
///   that word was sent.
/// - A writable primary fences (super_read_only, then kill client connections) at
///   `lastRenewal + leaseTimeout`, or at once when any higher term deposes it. A fence result that
///   is ambiguous or failed is re-read; if the server is not confirmed read-only (or down)
///   within `fenceEscalation`, the agent kills mysqld.
///
/// ## Controller side (`LeaseLedger`, failover step 2)
/// For an old primary `P` deposed in term `T` that cannot be fenced or proven dead:
/// - `lastGrant(P)`: when the controller last sent `P` a word allowing writes;
/// - `vouchEnd(R)` for every other agent `R`: when `R` was first heard holding a term ≥ `T`
///   (it stopped vouching before that), else the last word naming `P` sent to `R` plus
///   `peerVouchWindow`;
/// - `P` certainly accepts no writes after
///   `max(lastGrant(P), vouchEnd(R)…) + leaseTimeout + fenceEscalation + clockSkewMargin`
///   (`promotionAllowed(afterLastRenewal:)`). If `P`'s own agent reports term ≥ `T` (it knows it is
///   deposed and fences at once), the bound is that report's arrival `+ fenceEscalation +
///   clockSkewMargin` (`promotionAllowed(afterDeposedReportAt:)`).
/// - `clockSkewMargin` must cover the drift over the longest chain,
///   `2 × maxClockDriftRate × (peerVouchWindow + leaseTimeout + fenceEscalation)`, plus the
///   agent's scheduling delay (timer lateness and the fence statement); `problems` checks it.
///
/// A frozen host (VM pause, SIGSTOP of both mysqld and its agent) is outside this contract:
/// on resume the server may run before its agent notices the lease is gone. Lossless semi-sync
/// still protects acknowledged writes (no replica acknowledges the old primary any more);
/// asynchronous replication does not.
public struct LeaseContract: Sendable, Hashable, Codable {
    /// A writable primary that renewed neither through the controller nor a peer for this long
    /// fences itself.
    public var leaseTimeout: Duration
    /// An unconfirmed fence is escalated to killing mysqld after this long.
    public var fenceEscalation: Duration
    /// How long a peer keeps vouching for a primary on the strength of one controller word.
    /// Bounds how long a primary cut off with some peers outlives a controller it cannot hear;
    /// nil vouches forever (then a silent peer blocks an unproven failover until it speaks).
    public var peerVouchWindow: Duration?
    /// Allowance for clock-rate drift and scheduling delay, added by the controller.
    public var clockSkewMargin: Duration
    /// Controller probes and agent heartbeats run this often.
    public var probeInterval: Duration
    /// Upper bound on the rate difference of any monotonic clock from real time.
    public var maxClockDriftRate: Double

    public init(
        leaseTimeout: Duration = .seconds(10),
        fenceEscalation: Duration = .seconds(2),
        peerVouchWindow: Duration? = .seconds(30),
        clockSkewMargin: Duration = .seconds(1),
        probeInterval: Duration = .seconds(1),
        maxClockDriftRate: Double = 0.001
    ) {
        self.leaseTimeout = leaseTimeout
        self.fenceEscalation = fenceEscalation
        self.peerVouchWindow = peerVouchWindow
        self.clockSkewMargin = clockSkewMargin
        self.probeInterval = probeInterval
        self.maxClockDriftRate = maxClockDriftRate
    }

    /// The controller's wait after the last moment a lease could have been renewed.
    public var controllerWait: Duration { leaseTimeout + fenceEscalation + clockSkewMargin }

    /// The earliest controller instant at which a primary whose lease was last renewable at
    /// `lastRenewal` (controller clock) has certainly fenced itself or been killed.
    public func promotionAllowed(afterLastRenewal lastRenewal: Instant) -> Instant {
        lastRenewal + controllerWait
    }

    /// As above for a primary whose agent already reported knowing it is deposed.
    public func promotionAllowed(afterDeposedReportAt report: Instant) -> Instant {
        report + fenceEscalation + clockSkewMargin
    }

    /// The last controller instant at which a peer holding a word naming a primary, fetched by
    /// a request answered at `wordSentAt`, can still vouch for it; nil when vouching never ends.
    public func vouchingEnds(wordSentAt: Instant) -> Instant? {
        peerVouchWindow.map { wordSentAt + $0 }
    }

    /// Configuration mistakes that would void the safety argument; empty when sound.
    public var problems: [String] {
        var found: [String] = []
        if leaseTimeout <= .zero { found.append("leaseTimeout must be positive") }
        if fenceEscalation < .zero { found.append("fenceEscalation must not be negative") }
        if probeInterval <= .zero { found.append("probeInterval must be positive") }
        if leaseTimeout < probeInterval * 2 {
            found.append("leaseTimeout should span at least two heartbeats, or one lost heartbeat fences the primary")
        }
        let chain = (peerVouchWindow ?? .zero) + leaseTimeout + fenceEscalation
        let drift = chain * (2 * maxClockDriftRate)
        if clockSkewMargin < drift {
            found.append("clockSkewMargin \(clockSkewMargin) is below the drift bound \(drift)")
        }
        return found
    }
}
