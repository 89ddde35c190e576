/// One round of observations of a whole group, stamped with the injected time at which the
/// round completed. The unit the decision core works on.
public struct GroupSnapshot: Sendable, Hashable, Codable {
    public var takenAt: Instant
    public var instances: [InstanceObservation]

    public init(takenAt: Instant, instances: [InstanceObservation]) {
        self.takenAt = takenAt
        self.instances = instances
    }

    /// The first observation with this name.
    public subscript(name: String) -> InstanceObservation? {
        instances.first { $0.name == name }
    }

    public var reachable: [InstanceObservation] { instances.filter(\.reachable) }

    /// Instances whose own observation says primary. More than one is a split brain.
    public var apparentPrimaries: [InstanceObservation] { instances.filter { $0.roleHint == .primary } }
}
