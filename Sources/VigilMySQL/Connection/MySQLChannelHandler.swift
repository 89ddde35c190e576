import NIOCore
import NIOSSL
import NIOTLS

/// Drives `ConnectionStateMachine` on a channel: feeds it bytes and events, performs its
/// actions, and matches commands to their promises. Lives on the channel's event loop only.
final class MySQLChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var command: ClientCommand
        var promise: EventLoopPromise<CommandOutcome>
        var timeout: TimeAmount?
    }

    private var machine: ConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var connectPromise: EventLoopPromise<SessionInfo>?
    private var queue = CircularBuffer<Pending>()
    private var current: (promise: EventLoopPromise<CommandOutcome>, timer: Scheduled<Void>?)?
    private let tlsConfiguration: TLSConfiguration?
    private let serverHostname: String?
    private(set) var closeReason: MySQLError?

    init(settings: ConnectionSettings, tlsConfiguration: TLSConfiguration?, serverHostname: String?,
         connectPromise: EventLoopPromise<SessionInfo>) {
        self.machine = ConnectionStateMachine(settings: settings)
        self.tlsConfiguration = tlsConfiguration
        self.serverHostname = serverHostname
        self.connectPromise = connectPromise
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        perform(machine.bytesReceived(&bytes))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            perform(machine.tlsEstablished())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.connectionLost()
        if closeReason == nil { closeReason = .connectionClosed("the server closed the connection") }
        failAll(closeReason!)
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
        fatal(mapped)
    }

    // MARK: API used by MySQLConnection (always on the event loop)

    func enqueue(_ command: ClientCommand, timeout: TimeAmount?, promise: EventLoopPromise<CommandOutcome>) {
        // Work for a dead connection fails at once instead of waiting in the queue forever.
        if let reason = closeReason ?? (machine.isClosed ? .connectionClosed("the connection is closed") : nil) {
            promise.fail(reason)
            return
        }
        queue.append(Pending(command: command, promise: promise, timeout: timeout))
        startNextIfIdle()
    }

    /// Closes the connection and fails all work with `reason` (used for cancellation and close()).
    func fatal(_ reason: MySQLError) {
        if closeReason == nil { closeReason = reason }
        machine.connectionLost()
        failAll(reason)
        context?.close(promise: nil)
    }

    // MARK: internals

    private func startNextIfIdle() {
        guard current == nil, machine.isReady, let next = queue.popFirst(), let context else { return }
        var timer: Scheduled<Void>?
        if let timeout = next.timeout {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: timeout) {
                bound.value.fatal(.timeout("no complete reply within \(timeout.nanoseconds / 1_000_000) ms; connection closed"))
            }
        }
        current = (next.promise, timer)
        perform(machine.send(next.command))
    }

    private func perform(_ actions: [ConnectionStateMachine.Action]) {
        for action in actions {
            guard let context else { return }
            switch action {
            case .write(let bytes):
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            case .writeAndStartTLS(let bytes):
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
                startTLS(context)
            case .connected(let session):
                connectPromise?.succeed(session)
                connectPromise = nil
                startNextIfIdle()
            case .commandCompleted(let outcome):
                finishCurrent { $0.succeed(outcome) }
            case .commandFailed(let error):
                finishCurrent { $0.fail(error) }
            case .fatal(let error):
                fatal(error)
            case .close:
                finishCurrent { $0.succeed(.done) }
                fatal(.cancelled)
            }
        }
    }

    private func finishCurrent(_ complete: (EventLoopPromise<CommandOutcome>) -> Void) {
        guard let (promise, timer) = current else { return }
        current = nil
        timer?.cancel()
        complete(promise)
        startNextIfIdle()
    }

    private func startTLS(_ context: ChannelHandlerContext) {
        do {
            guard let tlsConfiguration else { throw MySQLError.tls("no TLS configuration") }
            let sslContext = try NIOSSLContext(configuration: tlsConfiguration)
            let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        } catch {
            fatal(error as? MySQLError ?? .tls("\(error)"))
        }
    }

    private func failAll(_ error: MySQLError) {
        connectPromise?.fail(error)
        connectPromise = nil
        if let (promise, timer) = current {
            current = nil
            timer?.cancel()
            promise.fail(error)
        }
        while let p = queue.popFirst() { p.promise.fail(error) }
    }
}
