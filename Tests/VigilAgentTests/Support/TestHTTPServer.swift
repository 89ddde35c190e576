import Hummingbird
import Logging
import NIOCore

/// A Hummingbird server on 127.0.0.1 with a free port, for fakes (controller, peers) and
/// client tests. `stop()` ends it.
final class TestHTTPServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(_ router: Router<BasicRequestContext>, port: Int = 0) async throws -> TestHTTPServer {
        let (events, sink) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.http")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in sink.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let task = Task {
            defer { sink.finish() }
            try await app.run()
        }
        for await bound in events {
            return TestHTTPServer(port: bound, task: task)
        }
        _ = try await task.value
        throw TimedOut(what: "test server to bind", after: .zero)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
