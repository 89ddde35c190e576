import NIOCore

/// A task waiting for a command's outcome.
typealias OutcomeContinuation = UnsafeContinuation<Result<CommandOutcome, MySQLError>, Never>

/// Where a command's outcome goes, exactly once (no future, promise or callback list per command).
enum CommandReply {
    /// The awaiting task's continuation.
    case task(OutcomeContinuation)
    /// The caller is waiting on the pump's own thread without suspending (see
    /// `DirectConnection.runInline`) and takes the outcome from `CommandPump.inlineOutcome`.
    case inline
}

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
    /// thread (see `MySQLConnection.taskExecutor`) hands it over directly, without a hop.
    nonisolated(nonsending) func submit(_ command: ClientCommand, timeout: TimeAmount?) async -> Result<CommandOutcome, MySQLError> {
        await awaitOutcome { continuation in
            if isOnPumpThread {
                pump.enqueue(command, timeout: timeout, reply: .task(continuation))
            } else {
                execute { pump.enqueue(command, timeout: timeout, reply: .task(continuation)) }
            }
        }
    }

    /// Suspends until the pump resumes the continuation that `register` hands it; cancellation
    /// closes the connection (the protocol cannot abandon a command mid-stream).
    nonisolated(nonsending) func awaitOutcome(_ register: (OutcomeContinuation) -> Void) async -> Result<CommandOutcome, MySQLError> {
        await withTaskCancellationHandler {
            await withUnsafeContinuation(register)
        } onCancel: {
            execute { pump.fatal(.cancelled) }
        }
    }
}

/// Drives `ConnectionStateMachine` over a transport: feeds it bytes and events, performs its
/// actions, and matches commands to their replies, one command at a time in call order.
/// Confined to the transport's thread; shared by both transports so that they cannot differ
/// in how commands, timeouts and failures are handled. Its state is accessed only there and
/// never overlapping, so it skips the runtime's dynamic exclusivity tracking (see DirectLoop).
final class CommandPump<IO: CommandIO> {
    private struct Pending {
        var command: ClientCommand
        var reply: CommandReply
        var timeout: TimeAmount?
    }

    @exclusivity(unchecked) private var machine: ConnectionStateMachine
    /// nil once the transport is gone: no action is performed after that.
    @exclusivity(unchecked) var io: IO?
    /// Told once whether the handshake succeeded (set by whoever starts the connection).
    @exclusivity(unchecked) var connectReply: ConnectReply?
    @exclusivity(unchecked) private var queue = CircularBuffer<Pending>()
    @exclusivity(unchecked) private var current: (reply: CommandReply, timer: IO.Timer?)?
    @exclusivity(unchecked) private(set) var closeReason: MySQLError?
    /// The outcome of a command whose reply is `.inline`, until its caller takes it.
    @exclusivity(unchecked) private(set) var inlineOutcome: Result<CommandOutcome, MySQLError>?

    init(settings: ConnectionSettings, connectReply: ConnectReply? = nil) {
        self.machine = ConnectionStateMachine(settings: settings)
        self.connectReply = connectReply
    }

    var isClosed: Bool { closeReason != nil || machine.isClosed }

    /// Nothing in flight or queued: a command enqueued now is sent at once.
    var isIdle: Bool { current == nil && queue.isEmpty && machine.isReady && io != nil }

    /// Takes the outcome of the `.inline` command, if it has one.
    func takeInlineOutcome() -> Result<CommandOutcome, MySQLError>? {
        inlineOutcome.take()
    }

    /// The `.inline` caller stopped waiting on the thread and suspends: its outcome goes to
    /// `continuation` from now on (at once, if it is already there).
    func awaitInline(_ continuation: OutcomeContinuation) {
        if let outcome = takeInlineOutcome() {
            continuation.resume(returning: outcome)
        } else if let (reply, timer) = current, case .inline = reply {
            current = (.task(continuation), timer)
        } else {
            continuation.resume(returning: .failure(closeReason ?? .connectionClosed("the connection is closed")))
        }
    }

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
        // Cancelled while the transport is still there: the timer holds the pump strongly.
        if let (_, timer) = current, let timer { io?.cancel(timer) }
        io = nil
        failAll(closeReason ?? .connectionClosed("the connection is closed"))
    }

    // MARK: API used by MySQLConnection (on the transport's thread)

    func enqueue(_ command: ClientCommand, timeout: TimeAmount?, reply: CommandReply) {
        // Work for a dead connection fails at once instead of waiting in the queue forever.
        if let reason = closeReason ?? (machine.isClosed ? .connectionClosed("the connection is closed") : nil) {
            deliver(reply, .failure(reason))
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
            // A strong capture: the timer is cancelled when the command ends, and a weak one would
            // move the pump's reference count to a side table (slower retains, every command).
            timer = io.schedule(in: timeout) {
                self.fatal(.timeout("no complete reply within \(timeout.nanoseconds / 1_000_000) ms; connection closed"))
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
        deliver(reply, result)
        startNextIfIdle()
    }

    private func failAll(_ error: MySQLError) {
        connectReply?(.failure(error))
        connectReply = nil
        if let (reply, timer) = current {
            current = nil
            if let timer { io?.cancel(timer) }
            deliver(reply, .failure(error))
        }
        while let p = queue.popFirst() { deliver(p.reply, .failure(error)) }
    }

    private func deliver(_ reply: CommandReply, _ result: Result<CommandOutcome, MySQLError>) {
        switch reply {
        case .task(let continuation): continuation.resume(returning: result)
        case .inline: inlineOutcome = result
        }
    }
}
