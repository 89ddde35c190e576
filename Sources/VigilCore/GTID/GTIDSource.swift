/// Where a MySQL GTID's sequence numbers come from: a server UUID, optionally with a tag.
/// `uuid:1-5` and `uuid:tag:1-5` are independent sequences, so the pair is the key.
public struct GTIDSource: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var uuid: ServerUUID
    /// nil for untagged GTIDs (the only kind before MySQL 8.3).
    public var tag: GTIDTag?

    public init(uuid: ServerUUID, tag: GTIDTag? = nil) {
        self.uuid = uuid
        self.tag = tag
    }

    /// Canonical order: by UUID, then untagged before tagged, then tags alphabetically,
    /// which is how MySQL prints a set.
    public static func < (lhs: GTIDSource, rhs: GTIDSource) -> Bool {
        if lhs.uuid != rhs.uuid { return lhs.uuid < rhs.uuid }
        switch (lhs.tag, rhs.tag) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let a?, let b?): return a < b
        }
    }

    public var description: String {
        tag.map { "\(uuid):\($0)" } ?? uuid.description
    }
}
