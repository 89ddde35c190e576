import NIOCore
import NIOPosix

/// One client connection and the backend connection made for it: connecting, gluing the two
/// channels and closing both. The backend channel uses the client's event loop, so all
/// mutable state is confined to that loop.
final class ProxyLink: Sendable {
    let id: ConnectionID
    let port: RouterPort
    let target: RouterEndpoint
    let client: any Channel
    /// Completes once the client and the backend (if one was connected) are both closed.
    let closed: EventLoopFuture<Void>
    private let backendClosed: EventLoopPromise<Void>
    private let state: NIOLoopBoundBox<LoopState>

    private struct LoopState {
        var backend: (any Channel)?
        var aborted = false
    }

    /// Must be called on the client's event loop.
    init(id: ConnectionID, port: RouterPort, target: RouterEndpoint, client: any Channel) {
        self.id = id
        self.port = port
        self.target = target
        self.client = client
        self.backendClosed = client.eventLoop.makePromise()
        self.closed = client.closeFuture.and(backendClosed.futureResult).map { _ in }
        self.state = NIOLoopBoundBox(LoopState(), eventLoop: client.eventLoop)
    }

    /// Connects to the target and, once connected, starts reading both sides. Both channels
    /// start with autoRead off, so nothing is read (or buffered) before the pair is glued.
    func start(_ configuration: RouterConfiguration, router: RouterState) {
        let client = self.client
        let port = self.port
        let bootstrap = ClientBootstrap(group: client.eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelOption(.writeBufferWaterMark, value: configuration.waterMark)
            .channelInitializer { [self] backend in
                backend.eventLoop.makeCompletedFuture {
                    state.value.backend = backend
                    guard !state.value.aborted else { throw ChannelError.ioOnClosedChannel }
                    let glue = GlueHandler.matchedPair(
                        countClientBytes: { router.addBytes(on: port, fromClient: $0, fromBackend: 0) },
                        countBackendBytes: { router.addBytes(on: port, fromClient: 0, fromBackend: $0) })
                    try client.pipeline.syncOperations.addHandler(glue.client)
                    try backend.pipeline.syncOperations.addHandler(glue.backend)
                }
            }
        // An IP literal skips name resolution and its happy-eyeballs machinery.
        let connecting = if let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
            bootstrap.connect(to: address)
        } else {
            bootstrap.connect(host: target.host, port: target.port)
        }
        connecting.whenComplete { [self] result in
            switch result {
            case .success(let backend):
                backend.closeFuture.cascade(to: backendClosed)
                if state.value.aborted || !client.isActive {
                    backend.close(promise: nil)
                } else {
                    try? client.syncOptions?.setOption(.autoRead, value: true)
                    try? backend.syncOptions?.setOption(.autoRead, value: true)
                }
            case .failure:
                // Not the backend's fault if the client left or was closed meanwhile.
                if !state.value.aborted && client.isActive {
                    router.connectFailed(id)
                }
                client.close(promise: nil)
                backendClosed.succeed()
            }
        }
    }

    /// Closes both sides now, without draining: used when the target loses its role and on
    /// stop. Callable from any thread.
    func abort() {
        client.eventLoop.execute { [self] in
            state.value.aborted = true
            client.close(promise: nil)
            state.value.backend?.close(promise: nil)
        }
    }
}
