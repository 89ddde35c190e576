import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal async HTTP/1.1 client: one connection per request (`Connection: close`), a
/// single deadline covering connect and the whole response, and a bounded response size.
/// Enough for heartbeats and peer pings between Vigil processes; not a general client.
public enum HTTPClient {
    /// Responses larger than this are refused unless a request asks otherwise.
    public static let defaultMaxResponseBytes = 4 * 1024 * 1024

    /// Sends one request and returns the complete response, whatever its status.
    ///
    /// - Parameters:
    ///   - url: `http://host[:port][/path]`.
    ///   - headers: Extra headers. `Host`, `Content-Length` and `Connection` are set here.
    ///   - timeout: Covers connecting, sending and receiving the entire response.
    public static func request(
        method: String = "GET",
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(5),
        maxResponseBytes: Int = defaultMaxResponseBytes,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(HTTPClientError) -> HTTPResponse {
        let target = try HTTPTarget(url: url)
        return try await request(method: method, target: target, headers: headers, body: body, timeout: timeout,
                                 maxResponseBytes: maxResponseBytes, eventLoopGroup: eventLoopGroup)
    }

    public static func request(
        method: String = "GET",
        target: HTTPTarget,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(5),
        maxResponseBytes: Int = defaultMaxResponseBytes,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled { throw .cancelled }
        let endpoint = target.description
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: HTTPResponse.self)
        let amount = TimeAmount.nanoseconds(max(1, timeout.wholeNanoseconds))
        // One deadline for everything; failing the promise closes the channel (below).
        let deadline = eventLoop.scheduleTask(in: amount) {
            promise.fail(HTTPClientError.timeout(endpoint: endpoint, after: timeout))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(amount)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        ResponseCollector(promise: promise, endpoint: endpoint, limit: maxResponseBytes))
                }
            }

        let channel: any Channel
        do {
            channel = try await withTaskCancellationHandler {
                try await bootstrap.connect(hostOrLiteral: target.host, port: target.port).get()
            } onCancel: {
                promise.fail(HTTPClientError.cancelled)
            }
        } catch {
            let mapped = connectError(error, endpoint: endpoint, timeout: timeout)
            promise.fail(mapped)
            // A deadline or cancellation that fired first is the better explanation.
            throw await settledError(promise, fallback: mapped)
        }
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }

        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.uppercased()), uri: target.path)
        for (name, value) in headers where !reservedHeaders.contains(name.lowercased()) {
            head.headers.add(name: name, value: value)
        }
        head.headers.replaceOrAdd(name: "Host", value: target.authority)
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        // Always a length: an absent body is an empty one (no chunked encoding for nothing).
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body?.count ?? 0))
        let requestHead = head
        let requestBody = body
        channel.eventLoop.execute {
            channel.write(HTTPClientRequestPart.head(requestHead), promise: nil)
            if let requestBody, !requestBody.isEmpty {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: requestBody))), promise: nil)
            }
            let written = channel.eventLoop.makePromise(of: Void.self)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: written)
            written.futureResult.whenFailure { error in
                promise.fail(HTTPClientError.connectionClosed(endpoint: endpoint, reason: "sending the request failed: \(error)"))
            }
        }

        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(HTTPClientError.cancelled)
            }
        } catch {
            throw error as? HTTPClientError ?? .connectionClosed(endpoint: endpoint, reason: "\(error)")
        }
    }

    /// The target's address when its host is an IPv4 or IPv6 literal, nil for a name.
    static func literalAddress(_ target: HTTPTarget) -> SocketAddress? {
        ClientBootstrap.literalAddress(target.host, port: target.port)
    }

    /// Set by the client itself; callers' values are ignored.
    private static let reservedHeaders: Set<String> = ["host", "connection", "content-length", "transfer-encoding"]

    private static func settledError(_ promise: EventLoopPromise<HTTPResponse>, fallback: HTTPClientError) async -> HTTPClientError {
        do {
            _ = try await promise.futureResult.get()
            return fallback
        } catch {
            return error as? HTTPClientError ?? fallback
        }
    }

    static func connectError(_ error: any Error, endpoint: String, timeout: Duration) -> HTTPClientError {
        if let error = error as? HTTPClientError { return error }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .timeout(endpoint: endpoint, after: timeout)
        }
        if isRefused(error) { return .connectionRefused(endpoint: endpoint) }
        return .connectFailed(endpoint: endpoint, reason: "\(error)")
    }

    /// ECONNREFUSED, directly or inside NIO's aggregate of per-address attempts.
    private static func isRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let aggregate = error as? NIOConnectionError {
            return !aggregate.connectionErrors.isEmpty && aggregate.connectionErrors.allSatisfy { isRefused($0.error) }
        }
        return false
    }
}

extension Duration {
    /// Whole nanoseconds, saturated to the `Int64` range.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds > 0 ? .max : .min }
        let (total, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds > 0 ? .max : .min }
        return total
    }
}

/// Collects one response, enforces the size limit, and completes the request's promise.
/// Lives on the channel's event loop.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPResponse>
    private let endpoint: String
    private let limit: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<HTTPResponse>, endpoint: String, limit: Int) {
        self.promise = promise
        self.endpoint = endpoint
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                finish(.failure(HTTPClientError.responseTooLarge(endpoint: endpoint, limit: limit)), context: context)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else {
                finish(.failure(HTTPClientError.malformedResponse(endpoint: endpoint, reason: "end without a status line")),
                       context: context)
                return
            }
            let headers = head.headers.map { ($0.name, $0.value) }
            finish(.success(HTTPResponse(status: Int(head.status.code), headers: headers, body: body)), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(HTTPClientError.connectionClosed(endpoint: endpoint, reason: "closed by the server"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let mapped: HTTPClientError =
            error is HTTPParserError
            ? .malformedResponse(endpoint: endpoint, reason: "\(error)")
            : .connectionClosed(endpoint: endpoint, reason: "\(error)")
        finish(.failure(mapped), context: context)
    }

    private func finish(_ result: Result<HTTPResponse, any Error>, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
        context.close(promise: nil)
    }
}
