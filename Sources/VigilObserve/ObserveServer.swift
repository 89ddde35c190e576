import Hummingbird
import Logging
import NIOCore

/// Serves the observability surfaces on one listener or several (the operator: metrics on
/// :8080, probes on :8081, status/WebSocket/dashboard on :8082). Loopback unless told otherwise.
public final class ObserveServer: Sendable {
    public struct Listener: Sendable {
        public var host: String
        public var port: Int
        public var surfaces: Set<ObserveSurface>

        public init(host: String = "127.0.0.1", port: Int, surfaces: Set<ObserveSurface>) {
            self.host = host
            self.port = port
            self.surfaces = surfaces
        }

        /// The operator's conventional layout.
        public static func threePorts(host: String = "127.0.0.1", metrics: Int = 8080, probes: Int = 8081, status: Int = 8082) -> [Listener] {
            [.init(host: host, port: metrics, surfaces: [.metrics]), .init(host: host, port: probes, surfaces: [.probes]),
             .init(host: host, port: status, surfaces: [.status])]
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private let tasks: [Task<Void, any Error>]

    private init(tasks: [Task<Void, any Error>]) { self.tasks = tasks }

    /// Starts every listener and returns once all accept connections. `extraRoutes` adds a
    /// caller's own routes (e.g. the local controller's API) to the listener serving `.status`.
    public static func start(
        _ listeners: [Listener], sources: ObserveSources, logger: Logger,
        extraRoutes: @Sendable (Router<BasicRequestContext>) -> Void = { _ in }
    ) async throws -> ObserveServer {
        var tasks: [Task<Void, any Error>] = []
        for listener in listeners {
            let router = Router()
            ObserveRoutes.mount(listener.surfaces, on: router, sources: sources)
            if listener.surfaces.contains(.status) { extraRoutes(router) }
            do {
                tasks.append(try await run(router: router, listener: listener, sources: sources, logger: logger))
            } catch {
                for task in tasks { task.cancel() }
                throw error
            }
        }
        return ObserveServer(tasks: tasks)
    }

    /// Runs one Hummingbird application and waits until it listens.
    public static func run(router: Router<BasicRequestContext>, listener: Listener, sources: ObserveSources,
                           logger: Logger) async throws -> Task<Void, any Error> {
        var quiet = logger
        quiet.logLevel = .warning
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Bool.self)
        let app = Application(
            router: router, server: ObserveRoutes.server(listener.surfaces, sources: sources),
            configuration: .init(address: .hostname(listener.host, port: listener.port), serverName: "vigil-controller"),
            onServerRunning: { _ in readyContinuation.yield(true) }, logger: quiet)
        let task = Task {
            do {
                try await app.run()
                readyContinuation.yield(false)
            } catch {
                readyContinuation.yield(false)
                throw error
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() == true else {
            let why = await (try? task.value).map { "stopped" } ?? "port \(listener.port) on \(listener.host) is in use?"
            throw StartError(description: "the controller's HTTP server could not start on \(listener.host):\(listener.port) (\(why))")
        }
        return task
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
    }
}
