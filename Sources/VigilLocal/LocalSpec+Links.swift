import VigilEngine
import VigilRouter

/// The links of a group with fault links: every connection one part of the group makes to
/// another crosses its own loopback listener in the links process, named `from>to:service`.
/// Without fault links every address is the target's own port.
///
/// Link ports, from L = portBase + 50, for n instances (4n + 2n² ≤ 198 for n = 9):
/// clients>dbI:mysql L+I · controller>dbI:mysql L+n+I · controller>dbI:agent L+2n+I ·
/// dbI>controller L+3n+I · dbJ>dbI:mysql L+4n+Jn+I · dbJ>dbI:agent L+4n+n²+Jn+I.
extension LocalSpec {
    static let linkPortSpan = 200

    var linkBase: Int { portBase + Self.basePortSpan }

    /// Every link (none without fault links).
    public var links: [LinkSpec] {
        guard faultLinks else { return [] }
        let n = instances
        var out: [LinkSpec] = []
        for i in 0..<n {
            let db = instanceName(i)
            out.append(LinkSpec(name: "clients>\(db):mysql", listenPort: linkBase + i, targetPort: mysqlPort(i)))
            out.append(LinkSpec(name: "controller>\(db):mysql", listenPort: linkBase + n + i, targetPort: mysqlPort(i)))
            out.append(LinkSpec(name: "controller>\(db):agent", listenPort: linkBase + 2 * n + i, targetPort: agentSidecarPort(i)))
            out.append(LinkSpec(name: "\(db)>controller", listenPort: linkBase + 3 * n + i, targetPort: controllerPort))
        }
        for j in 0..<n {
            for i in 0..<n where i != j {
                out.append(LinkSpec(name: "\(instanceName(j))>\(instanceName(i)):mysql",
                                    listenPort: linkBase + 4 * n + j * n + i, targetPort: mysqlPort(i)))
                out.append(LinkSpec(name: "\(instanceName(j))>\(instanceName(i)):agent",
                                    listenPort: linkBase + 4 * n + n * n + j * n + i, targetPort: agentSidecarPort(i)))
            }
        }
        return out
    }

    /// Where the router sends clients for instance `i`.
    public func clientPort(_ i: Int) -> Int { faultLinks ? linkBase + i : mysqlPort(i) }
    /// Where the controller's probes and actions reach instance `i`'s server.
    public func controllerMySQLPort(_ i: Int) -> Int { faultLinks ? linkBase + instances + i : mysqlPort(i) }
    /// Where the controller reaches instance `i`'s agent.
    public func controllerAgentURL(_ i: Int) -> String {
        faultLinks ? "http://127.0.0.1:\(linkBase + 2 * instances + i)" : agentSidecarURL(i)
    }
    /// Where instance `i`'s agent reaches the controller.
    public func agentControllerURL(_ i: Int) -> String {
        "http://127.0.0.1:\(faultLinks ? linkBase + 3 * instances + i : controllerPort)"
    }
    /// Where instance `replica` replicates from instance `source`.
    public func replicationPort(source: Int, replica: Int) -> Int {
        faultLinks && source != replica ? linkBase + 4 * instances + replica * instances + source : mysqlPort(source)
    }
    /// Where instance `from`'s agent pings instance `to`'s agent.
    public func peerAgentURL(from: Int, to: Int) -> String {
        guard faultLinks, from != to else { return agentSidecarURL(to) }
        return "http://127.0.0.1:\(linkBase + 4 * instances + instances * instances + from * instances + to)"
    }

    /// The links that cut instance `name` off from `sides`, in both directions.
    public func partitionLinks(isolating name: String, from sides: Set<PartitionSide>) -> [String] {
        guard faultLinks, index(of: name) != nil else { return [] }
        let others = (0..<instances).map(instanceName).filter { $0 != name }
        var cut: [String] = []
        if sides.contains(.clients) { cut.append("clients>\(name):mysql") }
        if sides.contains(.controller) {
            cut += ["controller>\(name):mysql", "controller>\(name):agent", "\(name)>controller"]
        }
        if sides.contains(.replicas) {
            for other in others {
                cut += ["\(other)>\(name):mysql", "\(name)>\(other):mysql", "\(other)>\(name):agent", "\(name)>\(other):agent"]
            }
        }
        return cut
    }
}

/// Who a partition cuts an instance off from.
public enum PartitionSide: String, CaseIterable, Sendable, Codable {
    /// The other instances: replication both ways and agent-to-agent pings.
    case replicas
    /// The controller: its probes and actions, its calls to the agent and the agent's heartbeats.
    case controller
    /// Client traffic from the router.
    case clients

    /// Parses `replicas,controller`, or `everything`.
    public static func parse(_ text: String) -> Set<PartitionSide>? {
        if text == "everything" || text == "all" { return Set(allCases) }
        var sides: Set<PartitionSide> = []
        for part in text.split(separator: ",") {
            guard let side = PartitionSide(rawValue: String(part)) else { return nil }
            sides.insert(side)
        }
        return sides.isEmpty ? nil : sides
    }
}
