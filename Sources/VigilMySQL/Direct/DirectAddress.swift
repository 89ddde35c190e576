import NIOCore
import NIOPosix
import Synchronization

/// Where a direct connection connects to. An IP literal or a unix socket path needs no lookup;
/// a host name (a Kubernetes headless-service name, say) is resolved with getaddrinfo, which
/// blocks for as long as DNS takes: on NIO's blocking-IO thread pool, never on the caller's
/// (cooperative) thread, and for no longer than the connect timeout.
enum DirectAddress {
    static func resolve(_ endpoint: MySQLConfiguration.Endpoint, within limit: TimeAmount) async throws(MySQLError) -> SocketAddress {
        let failed = { (reason: String) in MySQLError.connectFailed(endpoint: endpoint.description, reason: reason) }
        switch endpoint {
        case .unixSocket(let path):
            do { return try SocketAddress(unixDomainSocketPath: path) } catch { throw failed(MySQLConnection.describe(error)) }
        case .tcp(let host, let port):
            if let literal = try? SocketAddress(ipAddress: host, port: port) { return literal }
            let outcome = await firstOf(limit) { try SocketAddress.makeAddressResolvingHost(host, port: port) }
            switch outcome {
            case .some(.success(let address)): return address
            case .some(.failure(let error)): throw failed(MySQLConnection.describe(error))
            case .none: throw failed("resolving \(host) took longer than the connect timeout")
            }
        }
    }

    /// `body`'s result from the blocking-IO pool, or nil once `limit` has passed (the call
    /// itself cannot be stopped: it finishes in the background, unheeded).
    private static func firstOf<T: Sendable>(_ limit: TimeAmount, _ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error>? {
        let waiter = Waiter<Result<T, any Error>?>()
        return await withUnsafeContinuation { continuation in
            waiter.set(continuation)
            let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: limit) { waiter.finish(nil) }
            NIOThreadPool.singleton.submit { state in
                guard case .active = state else { return waiter.finish(.failure(ChannelError.ioOnClosedChannel)) }
                waiter.finish(Result { try body() })
                timer.cancel()
            }
        }
    }

    /// A continuation resumed by whichever side finishes first.
    private final class Waiter<Value: Sendable>: Sendable {
        private let continuation = Mutex<UnsafeContinuation<Value, Never>?>(nil)
        func set(_ c: UnsafeContinuation<Value, Never>) { continuation.withLock { $0 = c } }
        func finish(_ value: Value) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }
}
