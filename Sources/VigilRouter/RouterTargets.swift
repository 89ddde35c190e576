/// A backend the router can send connections to: one database instance.
public struct RouterEndpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The instance name, used as the key of per-target counters.
    public var name: String
    public var host: String
    public var port: Int

    public init(name: String, host: String, port: Int) {
        self.name = name
        self.host = host
        self.port = port
    }

    public var description: String { "\(name)@\(host):\(port)" }
}

/// Where the router sends connections. It is told, never decides: the platform layer feeds
/// it from the controller's decisions (the same ones behind Kubernetes labels and DNS).
public struct RouterTargets: Sendable, Equatable, Codable {
    /// The read-write port's target; nil refuses read-write connections.
    public var primary: RouterEndpoint?
    /// Healthy replicas, served round robin on the read-only port (the primary if empty).
    public var replicas: [RouterEndpoint]

    public init(primary: RouterEndpoint? = nil, replicas: [RouterEndpoint] = []) {
        self.primary = primary
        self.replicas = replicas
    }
}

/// The router's two listening ports.
public enum RouterPort: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case readWrite
    case readOnly

    public var description: String {
        switch self {
        case .readWrite: "read-write"
        case .readOnly: "read-only"
        }
    }
}
