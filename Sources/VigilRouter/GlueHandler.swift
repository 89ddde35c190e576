import NIOCore

/// One half of the pair that joins a client channel to its backend channel; both channels
/// share one event loop, so the halves call each other directly.
///
/// Data path (kept allocation-light for latency): each ByteBuffer read on one side is
/// written to the other unchanged, with no copy and no per-write promise; bytes are counted
/// locally and published to the shared counters once per read batch.
///
/// Backpressure: a read is withheld while the partner channel is not writable (it holds
/// more than the high water mark unsent) and resumed when it drains below the low mark, so
/// per direction the router holds at most about the high mark plus one read batch.
final class GlueHandler {
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var uncountedBytes = 0
    private let countBytes: @Sendable (Int) -> Void

    private init(countBytes: @escaping @Sendable (Int) -> Void) {
        self.countBytes = countBytes
    }

    /// `countClientBytes` receives bytes read from the client, `countBackendBytes` those
    /// read from the backend.
    static func matchedPair(
        countClientBytes: @escaping @Sendable (Int) -> Void,
        countBackendBytes: @escaping @Sendable (Int) -> Void
    ) -> (client: GlueHandler, backend: GlueHandler) {
        let client = GlueHandler(countBytes: countClientBytes)
        let backend = GlueHandler(countBytes: countBackendBytes)
        client.partner = backend
        backend.partner = client
        return (client, backend)
    }

    private func publishCount() {
        guard uncountedBytes > 0 else { return }
        countBytes(uncountedBytes)
        uncountedBytes = 0
    }

    // MARK: Called by the partner

    private func partnerWrite(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private var partnerIsWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func partnerBecameWritable() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    /// The partner's peer is gone: send what is still queued, then close. Closing the output
    /// waits for pending writes; the full close follows, also if the peer never reads them.
    ///
    /// The flush comes first: a read error (a reset right after data) closes the partner
    /// without a `channelReadComplete`, so what it forwarded in that batch is still unflushed.
    /// Unflushed writes never drain, so the close would hang until the drain timeout (the
    /// connection counted active meanwhile) and then drop them.
    private func partnerClosed() {
        guard let context else { return }
        let channel = context.channel
        context.flush()
        let outputClosed = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: outputClosed)
        let deadline = context.eventLoop.scheduleTask(in: Self.drainTimeout) { channel.close(promise: nil) }
        outputClosed.futureResult.whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }

    /// How long a closing side may take to accept the bytes still queued for it.
    static let drainTimeout = TimeAmount.seconds(5)
}

extension GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        publishCount()
        self.context = nil
        self.partner = nil  // breaks the pair's reference cycle
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        uncountedBytes += buffer.readableBytes
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        publishCount()
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        publishCount()
        partner?.partnerClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or failed write ends the connection; the partner follows via channelInactive.
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerIsWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
