/// What a faulted link does to its traffic (`vigil local chaos partition-*`).
public enum LinkFault: String, Codable, Sendable, CaseIterable {
    /// A partition that drops packets: nothing crosses in either direction, existing
    /// connections hang (their bytes wait in the kernel's buffers), new ones connect but are
    /// never answered. Healing lets the held bytes through, as a real network would.
    case blackhole
    /// A partition that answers with resets: existing connections are reset (RST), new ones are
    /// accepted and reset at once.
    case reset
}

/// One link of a local group: a loopback listener that forwards to one target port. Named
/// `from>to` with a service suffix, e.g. `db1>db0:mysql`, `controller>db2:agent`.
public struct LinkSpec: Codable, Sendable, Hashable {
    public var name: String
    public var listenPort: Int
    public var targetPort: Int

    public init(name: String, listenPort: Int, targetPort: Int) {
        self.name = name
        self.listenPort = listenPort
        self.targetPort = targetPort
    }
}

/// The faults in force, as the chaos command writes them for the links process. The
/// generation lets the writer wait until the process has applied its plan.
public struct LinkFaultPlan: Codable, Sendable, Equatable {
    public var generation: Int
    public var faults: [String: LinkFault]

    public init(generation: Int = 0, faults: [String: LinkFault] = [:]) {
        self.generation = generation
        self.faults = faults
    }
}
