import NIOCore
import NIOPosix

/// One connection accepted on a link and the connection made for it to the link's target.
/// All mutable state is confined to the accepted channel's event loop (the upstream channel
/// uses the same loop).
final class LinkConnection: Sendable {
    let client: any Channel
    let targetPort: Int
    private let state: NIOLoopBoundBox<State>

    private struct State {
        var fault: LinkFault?
        var upstream: (any Channel)?
        var connecting = false
        var gates: [LinkGate] = []
        var reset = false
    }

    /// Must be called on the client's event loop.
    init(client: any Channel, targetPort: Int) {
        self.client = client
        self.targetPort = targetPort
        self.state = NIOLoopBoundBox(State(), eventLoop: client.eventLoop)
    }

    /// Applies `fault` (nil: the link is healthy). Callable from any thread.
    func apply(_ fault: LinkFault?) {
        if client.eventLoop.inEventLoop {
            applyOnLoop(fault)
        } else {
            client.eventLoop.execute { self.applyOnLoop(fault) }
        }
    }

    private func applyOnLoop(_ fault: LinkFault?) {
        state.value.fault = fault
        guard !state.value.reset else { return }
        switch fault {
        case .reset:
            reset()
        case .blackhole:
            state.value.gates.forEach { $0.set(open: false) }
        case nil:
            // A connection accepted during a blackhole reaches its target only now, as a
            // delayed SYN would.
            if state.value.upstream == nil {
                if !state.value.connecting { connect() }
            } else {
                state.value.gates.forEach { $0.set(open: true) }
            }
        }
    }

    private func connect() {
        state.value.connecting = true
        let client = self.client
        ClientBootstrap(group: client.eventLoop)
            .connectTimeout(.seconds(2))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelInitializer { [self] upstream in
                upstream.eventLoop.makeCompletedFuture {
                    let glue = GlueHandler.matchedPair(countClientBytes: { _ in }, countBackendBytes: { _ in })
                    let clientGate = LinkGate(open: true)
                    let upstreamGate = LinkGate(open: true)
                    try client.pipeline.syncOperations.addHandler(clientGate)
                    try client.pipeline.syncOperations.addHandler(glue.client)
                    try upstream.pipeline.syncOperations.addHandler(upstreamGate)
                    try upstream.pipeline.syncOperations.addHandler(glue.backend)
                    state.value.gates = [clientGate, upstreamGate]
                    state.value.upstream = upstream
                }
            }
            .connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: targetPort))
            .whenComplete { [self] result in
                state.value.connecting = false
                switch result {
                case .success(let upstream):
                    guard !state.value.reset, client.isActive else {
                        upstream.close(promise: nil)
                        return
                    }
                    // The fault may have changed while connecting.
                    switch state.value.fault {
                    case .reset: reset(); return
                    case .blackhole: state.value.gates.forEach { $0.set(open: false) }
                    case nil: break
                    }
                    try? client.syncOptions?.setOption(.autoRead, value: true)
                    try? upstream.syncOptions?.setOption(.autoRead, value: true)
                case .failure:
                    // The target is down: the caller sees its connection refused, as it would
                    // without the link.
                    client.close(promise: nil)
                }
            }
    }

    /// Closes both sides with SO_LINGER 0, so each peer gets a reset rather than a clean end.
    private func reset() {
        state.value.reset = true
        for channel in [client, state.value.upstream].compactMap({ $0 }) {
            guard let provider = channel as? any SocketOptionProvider else {
                channel.close(promise: nil)
                continue
            }
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
