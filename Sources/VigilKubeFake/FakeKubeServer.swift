import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import VigilKube

/// An in-process Kubernetes API server with the real semantics Vigil relies on, served over
/// HTTP(S) on 127.0.0.1 so tests go through the real `KubeClient`. See `FakeState` and its
/// extensions for what is implemented, and `FakeState+Apply` for apply's simplifications.
/// Not implemented: namespaces as a precondition for creation, admission, validation of
/// object schemas, strategic merge / JSON patch, `resourceVersionMatch`, dry run.
public final class FakeKubeServer: Sendable {
    public struct Options: Sendable {
        /// When set, every request needs `Authorization: Bearer <token>` (401 otherwise).
        public var bearerToken: String?
        /// PEM certificate chain and key: serve HTTPS instead of HTTP.
        public var tlsCertificatePEM: [UInt8]?
        public var tlsKeyPEM: [UInt8]?
        /// How many changes watches can replay; older versions get 410.
        public var historyLimit: Int
        /// How often a watch with `allowWatchBookmarks` gets a BOOKMARK (the real server: ~1 min).
        public var bookmarkInterval: Duration

        public init(bearerToken: String? = nil, tlsCertificatePEM: [UInt8]? = nil, tlsKeyPEM: [UInt8]? = nil,
                    historyLimit: Int = 10_000, bookmarkInterval: Duration = .seconds(1)) {
            self.bearerToken = bearerToken
            self.tlsCertificatePEM = tlsCertificatePEM
            self.tlsKeyPEM = tlsKeyPEM
            self.historyLimit = historyLimit
            self.bookmarkInterval = bookmarkInterval
        }
    }

    /// One request as received, for assertions (e.g. how many times a call was retried).
    public struct RecordedRequest: Sendable, Hashable {
        public var method: String
        public var path: String
        public var query: String
    }

    struct Injected: Sendable {
        var status: Int
        var retryAfterSeconds: Int?
        var matching: String?
    }

    let options: Options
    let bearerToken: NIOLockedValueBox<String?>
    let state: NIOLockedValueBox<FakeState>
    let injected = NIOLockedValueBox<[Injected]>([])
    let recorded = NIOLockedValueBox<[RecordedRequest]>([])
    private let channel: any Channel
    /// Open client connections, closed by `stop()`.
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    /// `http://127.0.0.1:<port>` or `https://…`.
    public let url: String
    public let port: Int

    private init(options: Options, state: NIOLockedValueBox<FakeState>, channel: any Channel,
                 connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>, url: String, port: Int) {
        self.options = options
        self.bearerToken = NIOLockedValueBox(options.bearerToken)
        self.state = state
        self.channel = channel
        self.connections = connections
        self.url = url
        self.port = port
    }

    /// Starts on 127.0.0.1 and a free port.
    public static func start(options: Options = Options()) async throws -> FakeKubeServer {
        let state = NIOLockedValueBox(FakeState(historyLimit: options.historyLimit, clock: { Date() }))
        let box = NIOLockedValueBox<FakeKubeServer?>(nil)
        var sslContext: NIOSSLContext?
        if let certificate = options.tlsCertificatePEM, let key = options.tlsKeyPEM {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem)))
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let tls = sslContext
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                connections.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = connections.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FakeHTTPHandler { request in
                        guard let server = box.withLockedValue({ $0 }) else {
                            return .full(status: 503, headers: [], body: [])
                        }
                        return server.handle(request)
                    })
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        let server = FakeKubeServer(options: options, state: state, channel: channel, connections: connections,
                                    url: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)", port: port)
        box.withLockedValue { $0 = server }
        return server
    }

    /// Stops listening, ends every watch and closes every connection.
    public func stop() async {
        state.withLockedValue { $0.closeAllWatches() }
        try? await channel.close()
        let open = connections.withLockedValue { Array($0.values) }
        for connection in open { try? await connection.close() }
    }

    /// A `KubeConfig` pointing at this server (namespace `default`, the server's token if any).
    public func config(namespace: String = "default", caPEM: [UInt8]? = nil) -> KubeConfig {
        KubeConfig(server: url, namespace: namespace, certificateAuthorityPEM: caPEM,
                   credentials: bearerToken.withLockedValue { $0 }.map { .token(Redacted($0)) } ?? .none)
    }

    /// Changes the accepted token (`nil`: no auth), as a credential rotation would.
    public func setBearerToken(_ token: String?) {
        bearerToken.withLockedValue { $0 = token }
    }

    // MARK: Test hooks

    public func register(_ type: FakeResourceType) {
        state.withLockedValue { $0.register(type) }
    }

    /// The next `count` requests (whose `METHOD path` contains `matching`, if given) answer
    /// `status` with a `Status` body (and `Retry-After` if given) without being served.
    public func injectFailures(count: Int = 1, status: Int, retryAfterSeconds: Int? = nil, matching: String? = nil) {
        injected.withLockedValue {
            $0 += Array(repeating: Injected(status: status, retryAfterSeconds: retryAfterSeconds, matching: matching),
                        count: count)
        }
    }

    /// Forgets failures injected but not yet served.
    public func clearInjectedFailures() { injected.withLockedValue { $0 = [] } }

    public var requests: [RecordedRequest] { recorded.withLockedValue { $0 } }

    public func clearRequests() { recorded.withLockedValue { $0 = [] } }

    /// Ends every open watch, as an API server restart or rollout does.
    public func closeAllWatches() { state.withLockedValue { $0.closeAllWatches() } }

    /// Sends a BOOKMARK now to every watch that allows them (besides the periodic ones).
    public func sendBookmarks() {
        state.withLockedValue { state in
            for id in state.watchers.keys { state.sendBookmark(id) }
        }
    }

    /// Drops the change history: watches resuming from an older version get a 410 ERROR.
    public func compactHistory() { state.withLockedValue { $0.compactHistory() } }

    public var resourceVersion: String { state.withLockedValue { String($0.revision) } }

    public var openWatchCount: Int { state.withLockedValue { $0.watchers.count } }

    /// The stored object, as JSON (nil if absent).
    public func object(_ type: FakeResourceType, namespace: String?, name: String) -> JSONValue? {
        state.withLockedValue { try? $0.get(type, namespace: namespace, name: name) }
    }

    public func object<T: KubeResource>(_ type: T.Type, namespace: String? = "default", name: String) -> T? {
        guard let json = state.withLockedValue({ state -> JSONValue? in
            guard let fakeType = state.types.values.first(where: { $0.group == T.group && $0.plural == T.plural })
            else { return nil }
            return try? state.get(fakeType, namespace: namespace, name: name)
        }) else { return nil }
        return try? KubeCodec.decode(T.self, from: json)
    }

    /// Writes an object directly, as the kubelet or another controller would: a create (then a
    /// status write if it has status) or an unconditional update of object and status. Each
    /// write gets a resourceVersion and its watch event, like any other.
    @discardableResult
    public func put<T: KubeResource>(_ object: T) throws -> T {
        let json = try KubeCodec.json(resource: object)
        guard let type = state.withLockedValue({ state in
            state.types.values.first(where: { $0.group == T.group && $0.plural == T.plural })
        }) else {
            throw FakeKubeServerError.unknownType(T.apiVersion + "/" + T.plural)
        }
        let outcome: Result<JSONValue, FakeAPIError> = state.withLockedValue { state in
            let namespace = type.namespaced ? object.metadata.namespace ?? "default" : nil
            let name = object.metadata.name ?? ""
            do throws(FakeAPIError) {
                if (try? state.get(type, namespace: namespace, name: name)) == nil {
                    let created = try state.create(type, namespace: namespace, body: json, manager: "test")
                    guard type.hasStatusSubresource, let status = json["status"] else { return .success(created) }
                    var withStatus = created
                    withStatus["status"] = status
                    return .success(try state.update(type, namespace: namespace, name: name, body: withStatus,
                                                     status: true, manager: "test"))
                }
                var unconditional = json
                unconditional.set(path: ["metadata", "resourceVersion"], to: nil)
                _ = try state.update(type, namespace: namespace, name: name, body: unconditional, status: false,
                                     manager: "test")
                return .success(try state.update(type, namespace: namespace, name: name, body: unconditional,
                                                 status: type.hasStatusSubresource, manager: "test"))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let result): return try KubeCodec.decode(T.self, from: result)
        case .failure(let error): throw FakeKubeServerError.rejected(error.message)
        }
    }
}

public enum FakeKubeServerError: Error, Sendable, CustomStringConvertible {
    case unknownType(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .unknownType(let type): "the fake server does not serve \(type)"
        case .rejected(let message): "the fake server refused the write: \(message)"
        }
    }
}
