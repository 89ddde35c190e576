/// Every failure the client reports. Messages are actionable and never contain secrets.
public enum MySQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an ERR packet.
    case server(MySQLServerError)
    /// Authentication was refused: wrong password or unknown user (server code 1045).
    case accessDenied(MySQLServerError)
    /// The account exists but is locked (MySQL 3118, MariaDB 4151).
    case accountLocked(MySQLServerError)
    /// The server asked for an authentication plugin we do not implement.
    case unsupportedAuthPlugin(String)
    /// TLS was required but the server does not offer it, or the TLS handshake failed.
    case tls(String)
    /// Could not open the socket (refused, unreachable, no such socket file).
    case connectFailed(endpoint: String, reason: String)
    /// The peer closed the connection or it broke while work was pending.
    case connectionClosed(String)
    /// The deadline passed; the connection is closed since its stream state is unknown.
    case timeout(String)
    /// The server sent bytes that violate the protocol (truncated, wrong sequence, absurd length).
    case protocolViolation(String)
    /// The connection was closed by us, or the caller's task was cancelled.
    case cancelled
    /// Bad use of the API (e.g. a query on a closed connection).
    case usage(String)

    public var description: String {
        switch self {
        case .server(let e): return e.description
        case .accessDenied(let e): return "access denied: \(e.description)"
        case .accountLocked(let e): return "account locked: \(e.description)"
        case .unsupportedAuthPlugin(let name): return "authentication plugin '\(name)' is not supported by this client"
        case .tls(let reason): return "TLS: \(reason)"
        case .connectFailed(let endpoint, let reason): return "cannot connect to \(endpoint): \(reason)"
        case .connectionClosed(let reason): return "connection closed: \(reason)"
        case .timeout(let what): return "timed out: \(what)"
        case .protocolViolation(let what): return "protocol violation: \(what)"
        case .cancelled: return "cancelled"
        case .usage(let what): return "usage: \(what)"
        }
    }

    /// The server's error, when there was one.
    public var serverError: MySQLServerError? {
        switch self {
        case .server(let e), .accessDenied(let e), .accountLocked(let e): return e
        default: return nil
        }
    }
}

/// An ERR packet: code, SQLSTATE and message as the server sent them.
public struct MySQLServerError: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt16
    public var sqlState: String
    public var message: String

    public init(code: UInt16, sqlState: String, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String { "ERROR \(code) (\(sqlState)): \(message)" }
}
