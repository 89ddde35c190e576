import NIOCore

/// Where a command's outcome goes: the awaiting task's continuation, resumed exactly once
/// (no future, promise or callback list per command).
typealias CommandReply = UnsafeContinuation<Result<CommandOutcome, MySQLError>, Never>

/// Where the connection attempt's outcome goes, exactly once.
typealias ConnectReply = (Result<SessionInfo, MySQLError>) -> Void

/// What a transport (a NIO channel, or a socket on a `DirectLoop`) does for the pump.
/// Called only on the transport's own thread.
protocol CommandIO: AnyObject {
    associatedtype Timer
    func write(_ bytes: ByteBuffer)
    /// Starts the TLS handshake on the connection; an error if it cannot.
    func startTLS() -> MySQLError?
    func close()
    func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> Timer
    func cancel(_ timer: Timer)
}

/// Where a connection's pump lives: the one thread it may be used on, and how to get work there.
protocol PumpHost: Sendable {
    associatedtype IO: CommandIO
    /// True on the pump's thread.
    var isOnPumpThread: Bool { get }
    /// Runs `body` on the pump's thread.
    func execute(_ body: @escaping @Sendable () -> Void)
    /// Only on the pump's thread.
    var pump: CommandPump<IO> { get }
}

extension PumpHost {
    /// Hands `command` to the pump and waits for its outcome. A task already on the pump's
    /// thread (see `MySQLConnection.taskExecutor`) hands it over directly, without a hop;
    /// cancellation closes the connection.
    nonisolated(nonsending) func submit(_ command: ClientCommand, timeout: TimeAmount?) async -> Result<CommandOutcome, MySQLError> {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (reply: CommandReply) in
                if isOnPumpThread {
                    pump.enqueue(command, timeout: timeout, reply: reply)
                } else {
                    execute { pump.enqueue(command, timeout: timeout, reply: reply) }
                }
            }
        } onCancel: {
            execute { pump.fatal(.cancelled) }
        }
    }
}

/// Drives `ConnectionStateMachine` over a transport: feeds it bytes and events, performs its
/// actions, and matches commands to their replies, one command at a time in call order.
/// Confined to the transport's thread; shared by both transports so that they cannot differ
/// in how commands, timeouts and failures are handled.
final class CommandPump<IO: CommandIO> {
    private struct Pending {
        var command: ClientCommand
        var reply: CommandReply
        var timeout: TimeAmount?
    }

    private var machine: ConnectionStateMachine
    /// nil once the transport is gone: no action is performed after that.
    var io: IO?
    /// Told once whether the handshake succeeded (set by whoever starts the connection).
    var connectReply: ConnectReply?
    private var queue = CircularBuffer<Pending>()
    private var current: (reply: CommandReply, timer: IO.Timer?)?
    private(set) var closeReason: MySQLError?

    init(settings: ConnectionSettings, connectReply: ConnectReply? = nil) {
        self.machine = ConnectionStateMachine(settings: settings)
        self.connectReply = connectReply
    }

    var isClosed: Bool { closeReason != nil || machine.isClosed }

    // MARK: events from the transport

    func received(_ bytes: inout ByteBuffer) {
        machine.bytesReceived(&bytes)
        while io != nil, let action = machine.nextAction() {
            perform(action)
        }
    }

    func tlsEstablished() {
        perform(machine.tlsEstablished())
    }

    /// The socket closed or broke.
    func connectionLost(_ reason: MySQLError = .connectionClosed("the server closed the connection")) {
        machine.connectionLost()
        if closeReason == nil { closeReason = reason }
        failAll(closeReason!)
    }

    /// The transport is gone for good: never leave a task waiting.
    func detach() {
        io = nil
        failAll(closeReason ?? .connectionClosed("the connection is closed"))
    }

    // MARK: API used by MySQLConnection (on the transport's thread)

    func enqueue(_ command: ClientCommand, timeout: TimeAmount?, reply: CommandReply) {
        // Work for a dead connection fails at once instead of waiting in the queue forever.
        if let reason = closeReason ?? (machine.isClosed ? .connectionClosed("the connection is closed") : nil) {
            reply.resume(returning: .failure(reason))
            return
        }
        let pending = Pending(command: command, reply: reply, timeout: timeout)
        if current == nil, queue.isEmpty, machine.isReady, io != nil {
            start(pending)  // the usual case: nothing ahead of it
        } else {
            queue.append(pending)
            startNextIfIdle()
        }
    }

    /// Closes the connection and fails all work with `reason` (cancellation, timeouts, close()).
    func fatal(_ reason: MySQLError) {
        if closeReason == nil { closeReason = reason }
        machine.connectionLost()
        failAll(reason)
        io?.close()
    }

    // MARK: internals

    private func startNextIfIdle() {
        guard !queue.isEmpty, current == nil, machine.isReady, io != nil, let next = queue.popFirst() else { return }
        start(next)
    }

    private func start(_ next: Pending) {
        var timer: IO.Timer?
        if let timeout = next.timeout, let io {
            timer = io.schedule(in: timeout) { [weak self] in
                self?.fatal(.timeout("no complete reply within \(timeout.nanoseconds / 1_000_000) ms; connection closed"))
            }
        }
        current = (next.reply, timer)
        perform(machine.send(next.command))
    }

    private func perform(_ action: ConnectionStateMachine.Action) {
        guard let io else { return }
        switch action {
        case .write(let bytes):
            io.write(bytes)
        case .writeAndStartTLS(let bytes):
            io.write(bytes)
            if let error = io.startTLS() { fatal(error) }
        case .writeAndClose(let bytes):
            io.write(bytes)
            finishCurrent(.success(.done))
            fatal(.cancelled)
        case .connected(let session):
            connectReply?(.success(session))
            connectReply = nil
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
        if let timer { io?.cancel(timer) }
        reply.resume(returning: result)
        startNextIfIdle()
    }

    private func failAll(_ error: MySQLError) {
        connectReply?(.failure(error))
        connectReply = nil
        if let (reply, timer) = current {
            current = nil
            if let timer { io?.cancel(timer) }
            reply.resume(returning: .failure(error))
        }
        while let p = queue.popFirst() { p.reply.resume(returning: .failure(error)) }
    }
}
