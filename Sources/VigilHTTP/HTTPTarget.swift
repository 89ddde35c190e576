/// Where a request goes: the parts of an `http://host[:port][/path][?query]` URL.
/// Only plain HTTP: the agent talks to loopback / in-cluster peers, the integrity of what
/// matters is covered by HMAC signatures, not TLS.
public struct HTTPTarget: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    public init(url: String) throws(HTTPClientError) {
        let prefix = "http://"
        guard url.lowercased().hasPrefix(prefix) else { throw .invalidURL(url) }
        let rest = url.dropFirst(prefix.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalidURL(url) }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            // IPv6 literal: [::1]:8080
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(url) }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .invalidURL(url) }
        var port = 80
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { throw .invalidURL(url) }
            port = parsed
        }
        self.init(host: String(host), port: port, path: path)
    }

    /// `host:port`, for messages and the Host header.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String { "http://\(authority)\(path)" }
}
