import NIOCore

/// Stops traffic while its link is blackholed: reads are withheld, so bytes stay in the
/// kernel's buffers (and TCP backpressure holds the sender), and whatever an already
/// outstanding read still delivers, end of stream included, is held here until the link
/// heals. Placed before the glue, it sees every read the channel or the glue asks for.
final class LinkGate: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Any

    private var context: ChannelHandlerContext?
    private var open: Bool
    private var pendingRead = false
    private var held: [ByteBuffer] = []
    private var heldInactive = false

    init(open: Bool) {
        self.open = open
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if open {
            context.fireChannelRead(data)
        } else {
            held.append(unwrapInboundIn(data))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if open { context.fireChannelReadComplete() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if open {
            context.fireChannelInactive()
        } else {
            heldInactive = true
        }
    }

    func read(context: ChannelHandlerContext) {
        if open {
            context.read()
        } else {
            pendingRead = true
        }
    }

    /// Must be called on the channel's event loop.
    func set(open: Bool) {
        self.open = open
        guard open, let context else { return }
        if !held.isEmpty {
            for buffer in held { context.fireChannelRead(wrapInboundOut(buffer)) }
            held = []
            context.fireChannelReadComplete()
        }
        if heldInactive {
            heldInactive = false
            context.fireChannelInactive()
        } else if pendingRead {
            pendingRead = false
            context.read()
        }
    }
}
