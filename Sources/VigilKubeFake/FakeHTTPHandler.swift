import NIOCore
import NIOHTTP1

/// A request as the fake server's router sees it (body collected).
struct FakeRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// What the router answers: a whole response, or a watch to stream line by line.
enum FakeReply: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case watch(FakeWatchStream)
}

/// The lines of one watch; `stop` unregisters it when the client goes away.
struct FakeWatchStream: Sendable {
    var initial: [[UInt8]]
    var live: AsyncStream<[UInt8]>?
    var timeout: Duration?
    var bookmarkInterval: Duration?
    var bookmark: @Sendable () -> Void
    var stop: @Sendable () -> Void
}

/// Collects each HTTP/1.1 request and answers it from a task; a watch is written as a chunked
/// stream until it ends, times out or the client disconnects (which cancels the task).
final class FakeHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (FakeRequest) async -> FakeReply
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var current: Task<Void, Never>?

    init(respond: @escaping @Sendable (FakeRequest) async -> FakeReply) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let request = FakeRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
            self.head = nil
            current = Self.answer(request, head: head, channel: context.channel, respond: respond)
        }
    }

    private static func answer(_ request: FakeRequest, head: HTTPRequestHead, channel: any Channel,
                               respond: @escaping @Sendable (FakeRequest) async -> FakeReply) -> Task<Void, Never> {
        let keepAlive = head.isKeepAlive
        let version = head.version
        return Task {
            let reply = await respond(request)
            await write(reply, to: channel, version: version, keepAlive: keepAlive)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        current?.cancel()
        context.fireChannelInactive()
    }

    private static func write(_ reply: FakeReply, to channel: any Channel, version: HTTPVersion,
                              keepAlive: Bool) async {
        switch reply {
        case .full(let status, let extra, let bytes):
            var headers = HTTPHeaders(extra)
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status),
                                        headers: headers)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            if !keepAlive { try? await channel.close() }
        case .watch(let stream):
            await streamWatch(stream, to: channel, version: version)
        }
    }

    private static func streamWatch(_ stream: FakeWatchStream, to channel: any Channel, version: HTTPVersion) async {
        defer { stream.stop() }
        // No Content-Length: NIO frames the body with chunked transfer encoding.
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
        let head = HTTPResponseHead(version: version, status: .ok, headers: headers)
        do {
            try await channel.writeAndFlush(HTTPServerResponsePart.head(head))
            for line in stream.initial {
                try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: line))))
            }
            if let live = stream.live {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await line in live {
                            try await channel.writeAndFlush(
                                HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: line))))
                        }
                    }
                    if let timeout = stream.timeout {
                        group.addTask { try await Task.sleep(for: timeout) }
                    }
                    if let interval = stream.bookmarkInterval {
                        let bookmark = stream.bookmark
                        group.addTask {
                            while true {
                                try await Task.sleep(for: interval)
                                bookmark()
                            }
                        }
                    }
                    // Whichever ends first (stream closed, timeout) ends the watch.
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        } catch {
            // The client went away or the task was cancelled: nothing more to send.
            channel.close(promise: nil)
        }
    }
}
