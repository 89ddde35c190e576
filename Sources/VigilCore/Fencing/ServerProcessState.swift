/// What an agent sees of the mysqld beside it. `refused` and `exited` from an agent on a live
/// host are proof that the server cannot accept writes; `notAnswering` is not (it may be
/// paused or overloaded and resume at any moment).
public enum ServerProcessState: Sendable, Hashable, Codable {
    /// Answered a query; `readOnly` is true when `read_only` (and, on MySQL, `super_read_only`)
    /// is on, nil when the agent could not read it.
    case running(readOnly: Bool?)
    /// Connected or timed out without an answer.
    case notAnswering
    /// Connection refused on its socket / port: nothing is listening.
    case refused
    /// The process is known to have exited (the agent supervises it or saw its pid vanish).
    case exited
    case unknown

    /// Proof that the server accepts no writes now.
    public var isDown: Bool {
        switch self {
        case .refused, .exited: true
        case .running, .notAnswering, .unknown: false
        }
    }
}
