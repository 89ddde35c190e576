import NIOCore
import NIOSSL
import NIOTLS

/// Where a command's outcome goes: the awaiting task's continuation, resumed exactly once
/// (no future, promise or callback list per command).
typealias CommandReply = UnsafeContinuation<Result<CommandOutcome, MySQLError>, Never>

/// Drives `ConnectionStateMachine` on a channel: feeds it bytes and events, performs its
/// actions, and matches commands to their replies. Lives on the channel's event loop only.
final class MySQLChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var command: ClientCommand
        var reply: CommandReply
        var timeout: TimeAmount?
    }

    private var machine: ConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var connectPromise: EventLoopPromise<SessionInfo>?
    private var queue = CircularBuffer<Pending>()
    private var current: (reply: CommandReply, timer: Scheduled<Void>?)?
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

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // Normally channelInactive has failed everything already; never leave a task waiting.
        failAll(closeReason ?? .connectionClosed("the connection is closed"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        machine.bytesReceived(&bytes)
        while self.context != nil, let action = machine.nextAction() {
            perform(action)
        }
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

    func enqueue(_ command: ClientCommand, timeout: TimeAmount?, reply: CommandReply) {
        // Work for a dead connection fails at once instead of waiting in the queue forever.
        if let reason = closeReason ?? (machine.isClosed ? .connectionClosed("the connection is closed") : nil) {
            reply.resume(returning: .failure(reason))
            return
        }
        let pending = Pending(command: command, reply: reply, timeout: timeout)
        if current == nil, queue.isEmpty, machine.isReady, let context {
            start(pending, context)  // the usual case: nothing ahead of it
        } else {
            queue.append(pending)
            startNextIfIdle()
        }
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
        guard !queue.isEmpty, current == nil, machine.isReady, let context, let next = queue.popFirst() else { return }
        start(next, context)
    }

    private func start(_ next: Pending, _ context: ChannelHandlerContext) {
        var timer: Scheduled<Void>?
        if let timeout = next.timeout {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: timeout) {
                bound.value.fatal(.timeout("no complete reply within \(timeout.nanoseconds / 1_000_000) ms; connection closed"))
            }
        }
        current = (next.reply, timer)
        perform(machine.send(next.command))
    }

    private func perform(_ action: ConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .write(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .writeAndStartTLS(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            startTLS(context)
        case .writeAndClose(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            finishCurrent(.success(.done))
            fatal(.cancelled)
        case .connected(let session):
            connectPromise?.succeed(session)
            connectPromise = nil
            startNextIfIdle()
        case .commandCompleted(let outcome):
            finishCurrent(.success(outcome))
        case .commandFailed(let error):
            finishCurrent(.failure(error))
        case .fatal(let error):
            fatal(error)
        }
    }

    private func finishCurrent(_ result: Result<CommandOutcome, MySQLError>) {
        guard let (reply, timer) = current else { return }
        current = nil
        timer?.cancel()
        reply.resume(returning: result)
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
        if let (reply, timer) = current {
            current = nil
            timer?.cancel()
            reply.resume(returning: .failure(error))
        }
        while let p = queue.popFirst() { p.reply.resume(returning: .failure(error)) }
    }
}
