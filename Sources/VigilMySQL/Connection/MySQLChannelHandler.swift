import NIOCore
import NIOSSL
import NIOTLS

/// The NIO transport: a channel handler that feeds a `CommandPump` and performs its IO on the
/// channel (this is the transport that can upgrade to TLS). Lives on the channel's event loop only.
final class MySQLChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let pump: CommandPump<ChannelIO>
    private let tlsConfiguration: TLSConfiguration?
    private let serverHostname: String?

    init(settings: ConnectionSettings, tlsConfiguration: TLSConfiguration?, serverHostname: String?,
         connectPromise: EventLoopPromise<SessionInfo>) {
        self.pump = CommandPump(settings: settings) { result in
            connectPromise.completeWith(result.mapError { $0 as any Error })
        }
        self.tlsConfiguration = tlsConfiguration
        self.serverHostname = serverHostname
    }

    func handlerAdded(context: ChannelHandlerContext) {
        pump.io = ChannelIO(context: context, tlsConfiguration: tlsConfiguration, serverHostname: serverHostname)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Normally channelInactive has failed everything already.
        pump.detach()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        pump.received(&bytes)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            pump.tlsEstablished()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pump.connectionLost()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let mapped: MySQLError
        if let e = error as? MySQLError {
            mapped = e
        } else if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            mapped = .tls("\(error)")
        } else {
            mapped = .connectionClosed("\(error)")
        }
        pump.fatal(mapped)
    }
}

/// A NIO connection's pump, reachable from any thread through its event loop.
struct ChannelPumpHost: PumpHost {
    let handler: NIOLoopBound<MySQLChannelHandler>

    var isOnPumpThread: Bool { handler.eventLoop.inEventLoop }

    func execute(_ body: @escaping @Sendable () -> Void) {
        handler.eventLoop.execute(body)
    }

    var pump: CommandPump<ChannelIO> { handler.value.pump }
}

/// The pump's IO on a NIO channel.
final class ChannelIO: CommandIO {
    private let context: ChannelHandlerContext
    private let tlsConfiguration: TLSConfiguration?
    private let serverHostname: String?

    init(context: ChannelHandlerContext, tlsConfiguration: TLSConfiguration?, serverHostname: String?) {
        self.context = context
        self.tlsConfiguration = tlsConfiguration
        self.serverHostname = serverHostname
    }

    func write(_ bytes: ByteBuffer) {
        context.writeAndFlush(NIOAny(bytes), promise: nil)
    }

    func close() {
        context.close(promise: nil)
    }

    func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> Scheduled<Void> {
        let bound = NIOLoopBound(body, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: delay) { bound.value() }
    }

    func cancel(_ timer: Scheduled<Void>) {
        timer.cancel()
    }

    func startTLS() -> MySQLError? {
        do {
            guard let tlsConfiguration else { return .tls("no TLS configuration") }
            let sslContext = try NIOSSLContext(configuration: tlsConfiguration)
            let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
            return nil
        } catch {
            return .tls("\(error)")
        }
    }
}
