import NIOCore
import NIOPosix

/// A loopback TCP server that answers every connection with fixed bytes (or never), for testing
/// how clients handle broken or silent servers: after the client's first bytes (HTTP), or
/// as soon as it connects (`speaksFirst`, as a MySQL server would).
public final class RawTCPServer: Sendable {
    public let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// `reply` nil: accept, read and never answer.
    public static func start(reply: [UInt8]?, closeAfterReply: Bool = true,
                             speaksFirst: Bool = false) async throws -> RawTCPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(FixedReply(reply: reply, close: closeAfterReply, speaksFirst: speaksFirst))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawTCPServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    /// Binds a port and never accepts anything useful: for "port in use" tests.
    public static func occupy() async throws -> RawTCPServer {
        try await start(reply: nil)
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func stop() async {
        try? await channel.close()
    }

    private final class FixedReply: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: [UInt8]?
        let close: Bool
        let speaksFirst: Bool
        var answered = false

        init(reply: [UInt8]?, close: Bool, speaksFirst: Bool) {
            self.reply = reply
            self.close = close
            self.speaksFirst = speaksFirst
        }

        func channelActive(context: ChannelHandlerContext) {
            if speaksFirst { answer(context) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            answer(context)
        }

        private func answer(_ context: ChannelHandlerContext) {
            guard let reply, !answered else { return }
            answered = true
            let closeAfter = close
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply))).whenComplete { _ in
                if closeAfter { channel.close(promise: nil) }
            }
        }
    }
}
