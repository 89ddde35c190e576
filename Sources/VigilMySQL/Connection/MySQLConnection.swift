import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A MySQL / MariaDB connection with an async API. Commands run one at a time in call order.
/// A command that times out or whose task is cancelled closes the connection: the protocol
/// cannot abandon a result mid-stream, and a half-read stream must never be reused.
public final class MySQLConnection: Sendable {
    /// The IO the connection runs on.
    enum Transport: Sendable {
        case nio(Channel, ChannelPumpHost)
        case direct(DirectConnection)
    }

    let transport: Transport
    public let serverVersion: String
    public let connectionID: UInt32
    public let isTLS: Bool
    /// The authentication plugin the session was finally authenticated with.
    public let authPlugin: String
    let configuration: MySQLConfiguration
    let logger: Logger

    private init(transport: Transport, session: SessionInfo, configuration: MySQLConfiguration, logger: Logger) {
        self.transport = transport
        self.serverVersion = session.serverVersion
        self.connectionID = session.connectionID
        self.isTLS = session.isTLS
        self.authPlugin = session.authPlugin
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        switch transport {
        case .nio(let channel, _):
            channel.close(promise: nil)
        case .direct(let connection):
            connection.loop.execute { connection.pump.fatal(.connectionClosed("the connection was released")) }
        }
    }

    /// Opens a connection, negotiates TLS as configured and authenticates, all within
    /// `configuration.connectTimeout`. `eventLoopGroup` is for the NIO transport (default:
    /// NIO's singleton group).
    public static func connect(
        _ configuration: MySQLConfiguration,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "vigil.mysql")
    ) async throws(MySQLError) -> MySQLConnection {
        var isUnix = false
        var host: String?
        if case .unixSocket = configuration.endpoint { isUnix = true }
        if case .tcp(let h, _) = configuration.endpoint { host = h }
        let settings = ConnectionSettings(
            user: configuration.user, password: configuration.password, database: configuration.database,
            tls: configuration.tls, isUnixSocket: isUnix, serverPublicKeyPEM: configuration.serverPublicKeyPEM,
            maxPacketSize: configuration.maxPacketSize, useDeprecateEOF: !configuration.classicEOF,
            programName: configuration.programName)
        if configuration.usesDirectTransport {
            return try await connectDirect(configuration, settings: settings, logger: logger)
        }
        let eventLoop = (eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton).next()
        let connectPromise = eventLoop.makePromise(of: SessionInfo.self)
        let tls = try Self.tlsConfiguration(configuration.tls)
        // SNI and name checks use the host name; an IP literal is checked against the
        // certificate's IP SANs by NIOSSL from the peer address instead.
        let sniHost = host.flatMap { isIPAddress($0) ? nil : $0 }

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = MySQLChannelHandler(settings: settings, tlsConfiguration: tls,
                                                      serverHostname: sniHost, connectPromise: connectPromise)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: Channel
        do {
            switch configuration.endpoint {
            case .tcp(let host, let port):
                channel = try await bootstrap.connect(host: host, port: port).get()
            case .unixSocket(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            connectPromise.fail(MySQLError.cancelled)
            throw .connectFailed(endpoint: configuration.endpoint.description, reason: Self.describe(error))
        }
        let handler: NIOLoopBound<MySQLChannelHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: MySQLChannelHandler.self),
                             eventLoop: channel.eventLoop)
            }.get()
        } catch {
            // The channel closed before we could reach the handler (e.g. a failed TLS
            // handshake): the connect promise carries the real reason.
            channel.close(promise: nil)
            do {
                _ = try await connectPromise.futureResult.get()
            } catch {
                throw error as? MySQLError ?? .connectionClosed("\(error)")
            }
            throw .connectionClosed("connection closed during set-up")
        }
        // The handshake shares the connect deadline.
        let deadline = channel.eventLoop.scheduleTask(in: configuration.connectTimeout) {
            handler.value.pump.fatal(.timeout("handshake with \(configuration.endpoint) took longer than the connect timeout"))
        }
        do {
            let session = try await withTaskCancellationHandler {
                try await connectPromise.futureResult.get()
            } onCancel: {
                channel.eventLoop.execute { handler.value.pump.fatal(.cancelled) }
            }
            deadline.cancel()
            return MySQLConnection(transport: .nio(channel, ChannelPumpHost(handler: handler)), session: session,
                                   configuration: configuration, logger: logger)
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            throw error as? MySQLError ?? .connectionClosed("\(error)")
        }
    }

    // The command methods are `nonisolated(nonsending)`: they run on the caller's executor, so
    // an await costs no executor switches on the way in and out, and the reply resumes the
    // caller where it is (an actor, or a task pinned to `taskExecutor`).

    /// Runs one or more statements and returns every result, in order.
    nonisolated(nonsending) public func queryAll(_ sql: String, timeout: TimeAmount? = nil) async throws(MySQLError) -> [MySQLResult] {
        switch try await run(.query(sql), timeout: timeout ?? configuration.queryTimeout) {
        case .results(let first, let more): return [first] + more
        case .done: return []
        }
    }

    /// Runs a statement and returns its (first) result.
    @discardableResult
    nonisolated(nonsending) public func query(_ sql: String, timeout: TimeAmount? = nil) async throws(MySQLError) -> MySQLResult {
        switch try await run(.query(sql), timeout: timeout ?? configuration.queryTimeout) {
        case .results(let first, _): return first
        case .done: return MySQLResult()
        }
    }

    /// COM_PING: proves the server is answering on this session.
    nonisolated(nonsending) public func ping(timeout: TimeAmount? = nil) async throws(MySQLError) {
        _ = try await run(.ping, timeout: timeout ?? configuration.queryTimeout)
    }

    /// Sends COM_QUIT and closes. Safe to call more than once.
    public func close() async {
        _ = try? await run(.quit, timeout: .seconds(2))
        switch transport {
        case .nio(let channel, _):
            try? await channel.close()
        case .direct(let connection):
            // COM_QUIT closed it, unless the connection was broken or busy; either way it is
            // closed on its loop before this returns.
            await withUnsafeContinuation { (done: UnsafeContinuation<Void, Never>) in
                connection.loop.execute {
                    connection.pump.fatal(.connectionClosed("the connection is closed"))
                    done.resume()
                }
            }
        }
    }

    public var isClosed: Bool {
        switch transport {
        case .nio(let channel, _): return !channel.isActive
        case .direct(let connection): return connection.isClosed
        }
    }

    nonisolated(nonsending) private func run(_ command: ClientCommand, timeout: TimeAmount?) async throws(MySQLError) -> CommandOutcome {
        if Task.isCancelled { throw .cancelled }
        let result: Result<CommandOutcome, MySQLError>
        switch transport {
        case .direct(let connection):
            switch connection.runInline(command, timeout: timeout) {
            case .done(let outcome): result = outcome
            case .suspend: result = await connection.awaitInline()
            case .notHere: result = await connection.submit(command, timeout: timeout)
            }
        case .nio(_, let host):
            result = await host.submit(command, timeout: timeout)
        }
        return try result.get()
    }

    /// Connects on a `DirectLoop` (no TLS), within `configuration.connectTimeout`.
    private static func connectDirect(_ configuration: MySQLConfiguration, settings: ConnectionSettings,
                                      logger: Logger) async throws(MySQLError) -> MySQLConnection {
        if configuration.requiresTLS {
            throw .usage("the direct transport has no TLS: use tls disable, or the NIO transport")
        }
        var settings = settings
        settings.tls = .disable  // `prefer` means plaintext here
        // The lookup (for a host name), the connect and the handshake share the connect timeout.
        let started = NIODeadline.now()
        let address = try await DirectAddress.resolve(configuration.endpoint, within: configuration.connectTimeout)
        let remaining = configuration.connectTimeout - (NIODeadline.now() - started)
        let loop = DirectLoop.next()
        let connection = DirectConnection(loop: loop, settings: settings, endpoint: configuration.endpoint.description)
        let result = await withTaskCancellationHandler {
            await withUnsafeContinuation { (reply: UnsafeContinuation<Result<SessionInfo, MySQLError>, Never>) in
                loop.execute {
                    connection.start(address, timeout: remaining) { reply.resume(returning: $0) }
                }
            }
        } onCancel: {
            connection.execute { connection.pump.fatal(.cancelled) }
        }
        return MySQLConnection(transport: .direct(connection), session: try result.get(),
                               configuration: configuration, logger: logger)
    }

    static func tlsConfiguration(_ mode: MySQLTLSMode) throws(MySQLError) -> TLSConfiguration? {
        var config = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable:
            return nil
        case .prefer, .require:
            config.certificateVerification = .none
        case .verifyCA(let ca), .verifyFull(let ca):
            if case .verifyCA = mode {
                config.certificateVerification = .noHostnameVerification
            } else {
                config.certificateVerification = .fullVerification
            }
            if let ca {
                do {
                    config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
                } catch {
                    throw .tls("cannot read CA certificate file \(ca): \(error)")
                }
            }
        }
        return config
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? IOError { return e.description }
        if let e = error as? ChannelError, case .connectTimeout = e { return "connect timed out" }
        return "\(error)"
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
