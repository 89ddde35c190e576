/// Why a configuration file cannot be used. Messages name the file and the fix, never a
/// secret from it.
public enum AgentConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    /// Group or others may access the file; it holds secrets.
    case insecurePermissions(path: String, mode: Int)
    case invalid(path: String, problems: [String])

    public var description: String {
        switch self {
        case .missing(let path):
            "agent configuration \(path) does not exist"
        case .unreadable(let path, let reason):
            "cannot read agent configuration \(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            "agent configuration \(path) is accessible by group or others (mode \(String(mode, radix: 8))); "
                + "it holds secrets: run `chmod 600 \(path)`"
        case .invalid(let path, let problems):
            "invalid agent configuration \(path): " + problems.joined(separator: "; ")
        }
    }
}

/// Why the agent could not start or stopped.
public enum AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration([String])
    /// Another process listens on the port.
    case portInUse(listener: String, host: String, port: Int)
    /// Binding failed for another reason (bad address, permission).
    case listenFailed(listener: String, host: String, port: Int, reason: String)
    /// A listener stopped while the agent was running.
    case listenerStopped(listener: String, reason: String)
    /// `run()` was called on an agent that is already running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidConfiguration(let problems):
            "invalid agent configuration: " + problems.joined(separator: "; ")
        case .portInUse(let listener, let host, let port):
            "cannot start the \(listener) listener: port \(port) on \(host) is already in use; "
                + "stop whatever listens there or configure another port"
        case .listenFailed(let listener, let host, let port, let reason):
            "cannot start the \(listener) listener on \(host):\(port): \(reason)"
        case .listenerStopped(let listener, let reason):
            "the \(listener) listener stopped: \(reason)"
        case .alreadyRunning:
            "the agent is already running"
        }
    }
}
