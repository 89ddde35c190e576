import Glibc
import NIOCore
import Synchronization

/// The direct transport: one non-blocking socket watched by a `DirectLoop`, feeding a
/// `CommandPump`. Everything but `isClosed` is confined to the loop's thread (hence the
/// unchecked exclusivity of the per-round-trip state: see DirectLoop).
final class DirectConnection: CommandIO, DirectSource, PumpHost, @unchecked Sendable {
    private enum State { case idle, connecting, open, closed }

    let loop: DirectLoop
    let pump: CommandPump<DirectConnection>
    private let endpoint: String
    @exclusivity(unchecked) private var fd: Int32 = -1
    @exclusivity(unchecked) private var state = State.idle
    @exclusivity(unchecked) private var readBuffer: ByteBuffer
    /// Bytes the socket did not take yet (only when the peer reads slower than we write).
    @exclusivity(unchecked) private var outbound = CircularBuffer<ByteBuffer>()
    @exclusivity(unchecked) private var connectTimer: UInt64?
    @exclusivity(unchecked) private var pollingWrites = false
    private let closed = Atomic<Bool>(false)

    private static let initialReadSize = 16 * 1024
    private static let maximumReadSize = 256 * 1024
    private static let readsPerWakeUp = 8

    init(loop: DirectLoop, settings: ConnectionSettings, endpoint: String) {
        self.loop = loop
        self.endpoint = endpoint
        self.pump = CommandPump(settings: settings)
        self.readBuffer = ByteBufferAllocator().buffer(capacity: Self.initialReadSize)
    }

    /// True once the socket is closed, from any thread.
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    var isOnPumpThread: Bool { loop.inLoop }

    func execute(_ body: @escaping @Sendable () -> Void) {
        loop.execute(body)
    }

    /// Connects and runs the handshake; `completion` gets the session or why not, once.
    /// Both the TCP connect and the handshake share `timeout`.
    func start(_ address: SocketAddress, timeout: TimeAmount, completion: @escaping ConnectReply) {
        if let reason = pump.closeReason {  // cancelled before we got here
            completion(.failure(reason))
            return
        }
        // Strong captures (the pump drops `connectReply` once it is answered; the timer is
        // cancelled then): a weak reference would move this object's reference count to a side
        // table and slow every retain of it for the connection's whole life.
        pump.connectReply = { result in
            if let timer = self.connectTimer { self.loop.cancel(timer) }
            completion(result)
        }
        pump.io = self
        let tcp = address.protocol != .unix
        fd = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return failConnect(errno) }
        if tcp {
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let rc = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
        if rc != 0 && errno != EINPROGRESS { return failConnect(errno) }
        state = rc == 0 ? .open : .connecting
        loop.register(fd, rc == 0 ? .read : .write, self)
        connectTimer = loop.schedule(in: timeout) {
            guard self.state != .closed else { return }
            self.pump.fatal(self.state == .connecting
                ? .connectFailed(endpoint: self.endpoint, reason: "connect timed out")
                : .timeout("handshake with \(self.endpoint) took longer than the connect timeout"))
        }
    }

    private func failConnect(_ code: Int32) {
        pump.fatal(.connectFailed(endpoint: endpoint, reason: Self.describe(code)))
    }

    // MARK: commands

    /// What `runInline` did.
    enum InlineRun {
        /// The calling task may not wait here: submit the command as usual.
        case notHere
        case done(Result<CommandOutcome, MySQLError>)
        /// The command is in flight, but the loop is needed for something else: await
        /// `awaitInline()` for the outcome.
        case suspend
    }

    /// Runs `command` and waits for its outcome without suspending, when the calling task runs
    /// on this connection's loop while nothing else is queued there (the usual case for a task
    /// pinned to `MySQLConnection.taskExecutor`): it sends the command and waits in the loop's
    /// own `poll`, then reads and decodes the reply in this same call — no continuation, job
    /// hand-off, executor switch or async frame per round trip. Anything else that needs the
    /// loop (another socket, submitted work, a due timer) ends the wait with `.suspend`.
    /// Cancellation is checked between polls of at most `cancellationCheck`, as a synchronous
    /// wait has no cancellation handler.
    func runInline(_ command: ClientCommand, timeout: TimeAmount?) -> InlineRun {
        guard loop.inLoop, loop.isAloneOnLoop, pump.isIdle, fd >= 0 else { return .notHere }
        pump.enqueue(command, timeout: timeout, reply: .inline)
        while true {
            if let outcome = pump.takeInlineOutcome() { return .done(outcome) }
            if Task.isCancelled { pump.fatal(.cancelled) }  // fails the command: taken above next time
            else if state != .open { return .suspend }
            else {
                switch loop.pollInline(for: self, fd: fd, atMost: Self.cancellationCheck) {
                case .handled, .quiet: continue
                case .loopNeeded: return .suspend
                }
            }
        }
    }

    /// How often a synchronous wait looks for cancellation (a cancelled task notices within this).
    static let cancellationCheck: Int32 = 20  // ms

    /// The rest of a command `runInline` left in flight.
    nonisolated(nonsending) func awaitInline() async -> Result<CommandOutcome, MySQLError> {
        await awaitOutcome { pump.awaitInline($0) }
    }

    // MARK: DirectSource

    func readable() {
        if state == .connecting { return writable() }  // an error or hang-up while connecting
        var size = Self.initialReadSize
        // At most a few reads per wake-up, so that one large result cannot hold up the other
        // connections on this loop (poll is level-triggered: the rest is reported again).
        for _ in 0..<Self.readsPerWakeUp where state == .open {
            readBuffer.clear()  // storage still shared with the framer is left to it (copy on write)
            var failure: Int32 = 0
            var filled = false
            readBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                let n = recv(fd, raw.baseAddress, raw.count, 0)
                if n < 0 { failure = errno; return 0 }
                filled = n == raw.count
                if n == 0 { failure = -1 }
                return n
            }
            if failure == EINTR { continue }
            if failure == EAGAIN || failure == EWOULDBLOCK { return }
            if failure == -1 { return lost(.connectionClosed("the server closed the connection")) }
            if failure != 0 { return lost(.connectionClosed(Self.describe(failure))) }
            pump.received(&readBuffer)
            guard filled else {
                // Back to the small buffer once a large result has passed.
                if readBuffer.capacity > Self.initialReadSize {
                    readBuffer = ByteBufferAllocator().buffer(capacity: Self.initialReadSize)
                }
                return
            }
            // A full buffer means more is probably waiting (a large result): read on, in
            // bigger pieces, instead of going back to poll for every 16 kB.
            size = min(size * 2, Self.maximumReadSize)
        }
    }

    func writable() {
        switch state {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { return failConnect(error) }
            state = .open
            loop.setInterest(fd, .read)  // the server speaks first (its greeting)
        case .open:
            flush()
        case .idle, .closed:
            return
        }
    }

    // MARK: CommandIO

    func write(_ bytes: ByteBuffer) {
        guard state == .open else { return }
        outbound.append(bytes)
        if outbound.count == 1 { flush() }
    }

    func startTLS() -> MySQLError? {
        .tls("the direct transport has no TLS; connect with the NIO transport")
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        closed.store(true, ordering: .releasing)
        if fd >= 0 {
            loop.unregister(fd)
            Glibc.close(fd)
            fd = -1
        }
        outbound.removeAll()
        if let connectTimer { loop.cancel(connectTimer) }
        pump.io = nil  // the pump and this object no longer keep each other alive
    }

    func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> UInt64 {
        loop.schedule(in: delay, body)
    }

    func cancel(_ timer: UInt64) {
        loop.cancel(timer)
    }

    // MARK: internals

    private func flush() {
        while var first = outbound.first {
            var failure: Int32 = 0
            let n = first.withUnsafeReadableBytes { raw in
                let n = send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                if n < 0 { failure = errno }
                return n
            }
            if failure == EINTR { continue }
            if failure == EAGAIN || failure == EWOULDBLOCK { break }
            if failure != 0 { return lost(.connectionClosed(Self.describe(failure))) }
            if n < first.readableBytes {
                first.moveReaderIndex(forwardBy: n)
                outbound[outbound.startIndex] = first
                break
            }
            outbound.removeFirst()
        }
        if pollingWrites == outbound.isEmpty {
            pollingWrites.toggle()
            loop.setInterest(fd, pollingWrites ? [.read, .write] : .read)
        }
    }

    /// The socket broke or the server hung up.
    private func lost(_ reason: MySQLError) {
        close()
        pump.connectionLost(reason)
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
