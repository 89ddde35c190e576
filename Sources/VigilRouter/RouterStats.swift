/// Counters of one listening port, as plain values for metrics and `vigil local status`.
public struct RouterPortStats: Sendable, Equatable, Codable {
    /// Client connections accepted, including those then refused or failed.
    public var accepted = 0
    /// Client connections open now (connecting to or proxied to a backend).
    public var active = 0
    /// Closed at once because the port had no target.
    public var refused = 0
    /// Closed because the backend could not be reached (refused, unreachable, timed out).
    public var connectFailed = 0
    /// Closed by `update(_:)` because their backend lost its role for this port.
    public var closedByRoleChange = 0
    /// Bytes read from clients (and passed on to backends).
    public var bytesIn = 0
    /// Bytes read from backends (and passed on to clients).
    public var bytesOut = 0
    /// Open connections per backend, keyed by `RouterEndpoint.name`; zero counts are absent.
    public var activeByTarget: [String: Int] = [:]

    public init() {}
}

/// A snapshot of the router's counters, per port.
public struct RouterStats: Sendable, Equatable, Codable {
    public var readWrite = RouterPortStats()
    public var readOnly = RouterPortStats()

    public init() {}

    public subscript(port: RouterPort) -> RouterPortStats {
        get {
            switch port {
            case .readWrite: readWrite
            case .readOnly: readOnly
            }
        }
        set {
            switch port {
            case .readWrite: readWrite = newValue
            case .readOnly: readOnly = newValue
            }
        }
    }
}
