import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A client that records every byte it receives and whether the connection has ended.
final class TestClient: Sendable {
    let channel: any Channel
    private let inbox: NIOLockedValueBox<Inbox>

    struct Inbox {
        var bytes: [UInt8] = []
        var closed = false
        var reset = false
    }

    private init(channel: any Channel, inbox: NIOLockedValueBox<Inbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// With `autoRead` off nothing is read until `read()`; `receiveBuffer` pins SO_RCVBUF
    /// (no kernel autotuning) so tests can bound what sits in the kernel.
    static func connect(port: Int, autoRead: Bool = true, receiveBuffer: Int? = nil) async throws -> TestClient {
        let inbox = NIOLockedValueBox(Inbox())
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: autoRead)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(inbox: inbox))
                }
            }
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: .init(receiveBuffer))
        }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        return TestClient(channel: channel, inbox: inbox)
    }

    var received: [UInt8] { inbox.withLockedValue { $0.bytes } }
    var receivedCount: Int { inbox.withLockedValue { $0.bytes.count } }
    /// The peer closed (EOF) or the connection failed.
    var isClosed: Bool { inbox.withLockedValue { $0.closed } }
    /// The connection ended with a reset (ECONNRESET), not a clean end of stream.
    var wasReset: Bool { inbox.withLockedValue { $0.reset } }

    /// The first line received: the backend's name.
    var tag: String? {
        inbox.withLockedValue { inbox in
            inbox.bytes.firstIndex(of: UInt8(ascii: "\n")).map { String(decoding: inbox.bytes[..<$0], as: UTF8.self) }
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func read() {
        channel.read()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let inbox: NIOLockedValueBox<TestClient.Inbox>

    init(inbox: NIOLockedValueBox<TestClient.Inbox>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        inbox.withLockedValue { $0.bytes.append(contentsOf: buffer.readableBytesView) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.withLockedValue { $0.closed = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == ECONNRESET {
            inbox.withLockedValue { $0.reset = true }
        }
        context.close(promise: nil)
    }
}
