/// Why the router could not start.
public enum RouterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The router only listens on loopback: it fronts databases on this host, unauthenticated.
    case nonLoopbackBindAddress(String)
    case invalidPort(Int)
    /// Both ports were given the same non-zero number.
    case duplicatePort(Int)
    case portInUse(port: Int, RouterPort)
    case bindFailed(port: Int, RouterPort, reason: String)

    /// True for bad input (exit code 2), false for a failure of the environment (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .nonLoopbackBindAddress, .invalidPort, .duplicatePort: true
        case .portInUse, .bindFailed: false
        }
    }

    public var description: String {
        switch self {
        case .nonLoopbackBindAddress(let host):
            "router bind address \(host) is not a loopback address (use 127.0.0.1 or ::1)"
        case .invalidPort(let port):
            "router port \(port) is out of range (0-65535, 0 picks a free one)"
        case .duplicatePort(let port):
            "router read-write and read-only ports are both \(port)"
        case .portInUse(let port, let role):
            "router \(role) port \(port) is already in use"
        case .bindFailed(let port, let role, let reason):
            "router \(role) port \(port) could not be bound: \(reason)"
        }
    }
}
