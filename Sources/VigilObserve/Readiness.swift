import NIOConcurrencyHelpers

/// What `/readyz` answers: ready once the controller leads (operator: leader elected; local:
/// the controller runs) and its view is synced (operator: informer caches; local: a first
/// observation round of every instance). `/healthz` only says the process serves.
public final class Readiness: Sendable {
    struct State {
        var leading = false
        var synced = false
        var stopping = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func setLeading(_ leading: Bool) { state.withLockedValue { $0.leading = leading } }
    public func setSynced(_ synced: Bool) { state.withLockedValue { $0.synced = synced } }
    public func setStopping() { state.withLockedValue { $0.stopping = true } }

    /// nil when ready, else why not (for the 503 body).
    public var notReadyReason: String? {
        state.withLockedValue { s in
            if s.stopping { return "stopping" }
            if !s.leading { return "not leading (no leader elected / controller not running yet)" }
            if !s.synced { return "caches not synced (no complete observation round yet)" }
            return nil
        }
    }
}
