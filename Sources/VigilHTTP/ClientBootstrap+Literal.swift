import NIOCore
import NIOPosix

extension ClientBootstrap {
    /// Connects to an IP literal (Vigil's own addresses: controller, peers, pods, loopback)
    /// directly; only a host name goes through NIO's resolver. `connect(host:port:)` resolves
    /// even a literal with getaddrinfo on a libdispatch queue, once per connection: a thread hop,
    /// and each such job leaves its 64-byte dispatch continuation in the cache of the worker
    /// thread that ran it (which frees them but never allocates one), up to libdispatch's 1024
    /// per thread, until that thread exits. With one agent heartbeat a second that was a steady
    /// heap creep of about 5 kB a minute (bench/agent-memory.sh, bench/RESULTS.md).
    public func connect(hostOrLiteral host: String, port: Int) -> EventLoopFuture<any Channel> {
        if let address = Self.literalAddress(host, port: port) {
            return connect(to: address)
        }
        return connect(host: host, port: port)
    }

    /// The address when `host` is an IPv4 or IPv6 literal, nil for a name.
    public static func literalAddress(_ host: String, port: Int) -> SocketAddress? {
        try? SocketAddress(ipAddress: host, port: port)
    }
}
