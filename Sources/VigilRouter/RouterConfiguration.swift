import NIOCore

/// How the router listens and connects. Defaults suit `vigil local`.
public struct RouterConfiguration: Sendable, Equatable {
    /// A loopback address literal (127.0.0.0/8 or ::1); anything else is a usage error.
    public var bindHost: String
    /// 0 picks a free port; the actual one is on the started `Router`.
    public var readWritePort: Int
    public var readOnlyPort: Int
    /// How long a backend connect may take before the client is closed.
    public var connectTimeout: TimeAmount
    /// Per-channel write buffer bounds in bytes: once a channel holds more than `high`
    /// unsent, the other side is not read until it drains below `low`.
    public var writeBufferWaterMark: ClosedRange<Int>

    public init(
        bindHost: String = "127.0.0.1",
        readWritePort: Int,
        readOnlyPort: Int,
        connectTimeout: TimeAmount = .seconds(2),
        writeBufferWaterMark: ClosedRange<Int> = 64 * 1024...256 * 1024
    ) {
        self.bindHost = bindHost
        self.readWritePort = readWritePort
        self.readOnlyPort = readOnlyPort
        self.connectTimeout = connectTimeout
        self.writeBufferWaterMark = writeBufferWaterMark
    }

    /// Rejects what must never be bound: a non-loopback address, a bad or doubled port.
    public func validate() throws(RouterError) {
        guard Self.isLoopbackLiteral(bindHost) else { throw .nonLoopbackBindAddress(bindHost) }
        for port in [readWritePort, readOnlyPort] where !(0...65535).contains(port) {
            throw .invalidPort(port)
        }
        if readWritePort != 0 && readWritePort == readOnlyPort { throw .duplicatePort(readWritePort) }
    }

    var waterMark: ChannelOptions.Types.WriteBufferWaterMark {
        .init(low: max(0, writeBufferWaterMark.lowerBound), high: max(0, writeBufferWaterMark.upperBound))
    }

    /// Literals only: a name like "localhost" may resolve to a non-loopback address.
    static func isLoopbackLiteral(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4 {
            let values = octets.compactMap { $0.count <= 3 && $0.allSatisfy(\.isASCII) ? UInt8($0) : nil }
            return values.count == 4 && values[0] == 127
        }
        guard host.contains(":"), let address = try? SocketAddress(ipAddress: host, port: 0) else { return false }
        return address.ipAddress == "::1"
    }
}
