/// Every way a request can fail. Messages name the endpoint and never include headers or
/// bodies (they may carry tokens).
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `http://host[:port][/path]`.
    case invalidURL(String)
    /// Nothing listens on the port (connection refused).
    case connectionRefused(endpoint: String)
    /// The connection could not be opened for another reason (unreachable, DNS, ...).
    case connectFailed(endpoint: String, reason: String)
    /// No complete response within the timeout (connect included).
    case timeout(endpoint: String, after: Duration)
    /// The server's bytes are not a valid HTTP/1.1 response.
    case malformedResponse(endpoint: String, reason: String)
    /// The response body exceeded the limit; the connection was closed.
    case responseTooLarge(endpoint: String, limit: Int)
    /// The connection closed (or broke) before the response was complete.
    case connectionClosed(endpoint: String, reason: String)
    /// The calling task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .invalidURL(let text): "invalid URL '\(text)': expected http://host[:port][/path]"
        case .connectionRefused(let endpoint): "cannot connect to \(endpoint): connection refused (is anything listening?)"
        case .connectFailed(let endpoint, let reason): "cannot connect to \(endpoint): \(reason)"
        case .timeout(let endpoint, let after): "no complete response from \(endpoint) within \(after)"
        case .malformedResponse(let endpoint, let reason): "malformed HTTP response from \(endpoint): \(reason)"
        case .responseTooLarge(let endpoint, let limit): "response from \(endpoint) exceeds \(limit) bytes"
        case .connectionClosed(let endpoint, let reason): "connection to \(endpoint) closed before the response was complete: \(reason)"
        case .cancelled: "request cancelled"
        }
    }
}
