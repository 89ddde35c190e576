import VigilEngine

/// What `vigil local up` was asked for. Stored in the state file so `up` can resume.
public struct LocalSpec: Codable, Sendable, Equatable {
    public var instances: Int
    public var sites: [String]
    public var mode: SemiSyncMode
    public var portBase: Int
    public var mysqldPath: String
    /// Every connection between the group's parts crosses a fault-injecting link (a loopback
    /// proxy in its own process), so `vigil local chaos partition-*` can cut it.
    public var faultLinks: Bool

    public init(instances: Int = 3, sites: [String] = ["a"], mode: SemiSyncMode = .lossless,
                portBase: Int = 13300, mysqldPath: String, faultLinks: Bool = false) {
        self.instances = instances
        self.sites = sites
        self.mode = mode
        self.portBase = portBase
        self.mysqldPath = mysqldPath
        self.faultLinks = faultLinks
    }

    enum CodingKeys: String, CodingKey { case instances, sites, mode, portBase, mysqldPath, faultLinks }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(instances: try c.decode(Int.self, forKey: .instances), sites: try c.decode([String].self, forKey: .sites),
                  mode: try c.decode(SemiSyncMode.self, forKey: .mode), portBase: try c.decode(Int.self, forKey: .portBase),
                  mysqldPath: try c.decode(String.self, forKey: .mysqldPath),
                  // Groups created before links existed have none.
                  faultLinks: try c.decodeIfPresent(Bool.self, forKey: .faultLinks) ?? false)
    }

    public static let maxInstances = 9

    /// Every check that does not need the machine; returns the first problem.
    public func validate() throws(LocalError) {
        guard instances >= 1, instances <= Self.maxInstances else {
            throw .usage("--instances must be between 1 and \(Self.maxInstances) (got \(instances))")
        }
        guard !sites.isEmpty, sites.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else {
            throw .usage("--sites must be a comma-separated list of names (letters, digits, '-')")
        }
        guard Set(sites).count == sites.count else { throw .usage("--sites has a duplicate name") }
        guard portBase >= 1024, portBase + portSpan <= 65535 else {
            throw .usage("--port-base must be between 1024 and \(65535 - portSpan)")
        }
        if mode == .lossless && instances == 1 {
            throw .usage("--mode semisync needs at least 2 instances (lossless semi-sync blocks every commit without a replica); use --mode async for one instance")
        }
    }

    // Port plan, all from --port-base so several groups can run side by side.
    static let basePortSpan = 50
    /// With fault links, their listeners follow the base ports (LocalSpec+Links.swift).
    public var portSpan: Int { faultLinks ? Self.basePortSpan + Self.linkPortSpan : Self.basePortSpan }
    public var routerReadWritePort: Int { portBase }
    public var routerReadOnlyPort: Int { portBase + 1 }
    public var controllerPort: Int { portBase + 2 }
    public func mysqlPort(_ index: Int) -> Int { portBase + 10 + index }
    /// Each instance's agent: role probe, sidecar API, exporter.
    public func agentRoleProbePort(_ index: Int) -> Int { portBase + 20 + index }
    public func agentSidecarPort(_ index: Int) -> Int { portBase + 30 + index }
    public func agentMetricsPort(_ index: Int) -> Int { portBase + 40 + index }
    /// The index of instance `name` (db0 → 0), nil for a name not in this group.
    public func index(of name: String) -> Int? { (0..<instances).first { instanceName($0) == name } }
    /// Base URL of an agent's sidecar API.
    public func agentSidecarURL(_ index: Int) -> String { "http://127.0.0.1:\(agentSidecarPort(index))" }

    public func instanceName(_ index: Int) -> String { "db\(index)" }
    /// Instances are spread over the sites round robin; instance 0 (the first primary) is on the first site.
    public func site(_ index: Int) -> String { sites[index % sites.count] }

    public var allPorts: [Int] {
        [routerReadWritePort, routerReadOnlyPort, controllerPort]
            + (0..<instances).flatMap { [mysqlPort($0), agentRoleProbePort($0), agentSidecarPort($0), agentMetricsPort($0)] }
            + links.map(\.listenPort)
    }
}

/// Failures of `vigil local`, each with what to do about it.
public enum LocalError: Error, Sendable, Equatable, CustomStringConvertible {
    case usage(String)
    case failed(String)

    public var description: String {
        switch self {
        case .usage(let m), .failed(let m): return m
        }
    }

    public var isUsage: Bool { if case .usage = self { return true } else { return false } }
}
