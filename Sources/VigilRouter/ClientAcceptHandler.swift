import NIOCore

/// The only handler an accepted client channel starts with: once the channel is active it
/// hands it to the router, then removes itself so the data path holds just the glue.
final class ClientAcceptHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let router: RouterState
    private let port: RouterPort

    init(router: RouterState, port: RouterPort) {
        self.router = router
        self.port = port
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        router.serve(context.channel, on: port)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
