import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VigilRouter

/// A stand-in database on 127.0.0.1 (port 0): on connect it writes its name and a newline,
/// then echoes, or with `payload` writes that and closes.
final class TestBackend: Sendable {
    let name: String
    let port: Int
    private let listener: any Channel
    private let open: NIOLockedValueBox<[ObjectIdentifier: any Channel]>

    var endpoint: RouterEndpoint { RouterEndpoint(name: name, host: "127.0.0.1", port: port) }
    /// Connections open on this backend now.
    var openConnections: Int { open.withLockedValue { $0.count } }

    private init(name: String, listener: any Channel, open: NIOLockedValueBox<[ObjectIdentifier: any Channel]>) {
        self.name = name
        self.port = listener.localAddress!.port!
        self.listener = listener
        self.open = open
    }

    static func start(_ name: String, payload: [UInt8]? = nil) async throws -> TestBackend {
        let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                open.withLockedValue { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0[key] = nil } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackendHandler(name: name, payload: payload))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestBackend(name: name, listener: listener, open: open)
    }

    func stop() async {
        try? await listener.close()
        for channel in open.withLockedValue({ Array($0.values) }) { try? await channel.close() }
    }
}

private final class BackendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let name: String
    let payload: [UInt8]?

    init(name: String, payload: [UInt8]?) {
        self.name = name
        self.payload = payload
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: name + "\n")), promise: nil)
        if let payload {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: payload))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
