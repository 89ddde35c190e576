/// One MariaDB GTID, `domain-server-seq`: the `seq`-th event group of replication domain
/// `domain`, written by the server with `server_id` `serverID`.
public struct MariaDBGTID: Sendable, Hashable, CustomStringConvertible {
    public var domain: UInt32
    public var serverID: UInt32
    public var sequence: UInt64

    public init(domain: UInt32, serverID: UInt32, sequence: UInt64) {
        self.domain = domain
        self.serverID = serverID
        self.sequence = sequence
    }

    public var description: String { "\(domain)-\(serverID)-\(sequence)" }

    /// Total order used when two positions disagree within a domain: the higher sequence
    /// wins; at equal sequence the higher server id wins, only so that union is commutative.
    func isAhead(of other: MariaDBGTID) -> Bool {
        (sequence, serverID) > (other.sequence, other.serverID)
    }
}
