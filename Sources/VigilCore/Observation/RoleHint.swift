/// What an instance looks like it is, from its own observation alone. A hint, not a
/// verdict: the decision core weighs it against the whole group (e.g. two instances that
/// both look primary is a split brain to resolve, not two primaries to trust).
public enum RoleHint: String, Sendable, Hashable, Codable, CaseIterable {
    case primary
    case replica
    case unknown
}
