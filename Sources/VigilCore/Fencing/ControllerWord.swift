/// What the controller says in every heartbeat reply: the current term and who may write.
/// Every change of content comes with a higher term, so agents order words by term alone and
/// a delayed reply can never undo a newer one.
public struct ControllerWord: Sendable, Hashable, Codable {
    public var term: UInt64
    /// The designated primary; nil while a failover has deposed the old one and not yet
    /// promoted a new one.
    public var primary: String?
    /// False while the primary must stay read-only (a switchover waiting for its target).
    public var primaryMayWrite: Bool

    public init(term: UInt64, primary: String?, primaryMayWrite: Bool) {
        self.term = term
        self.primary = primary
        self.primaryMayWrite = primaryMayWrite
    }

    public func allowsWrites(by instance: String) -> Bool {
        primaryMayWrite && primary == instance
    }
}

/// An agent's answer to a peer's `/peer/ping`: the term it holds and the primary it vouches
/// for (nil when it vouches for nobody: no controller word, or that word is too old).
public struct PeerVouch: Sendable, Hashable, Codable {
    public var term: UInt64
    public var primary: String?

    public init(term: UInt64, primary: String?) {
        self.term = term
        self.primary = primary
    }
}
