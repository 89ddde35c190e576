import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import VigilAgent
import VigilCore
import VigilObserve

/// The operator's HTTP surfaces: VigilObserve's metrics, probes (ready = leading and the
/// cluster list synced), status, WebSocket and dashboard, plus the agents' heartbeats
/// (`POST /clusters/{ns}/{name}/v1/heartbeat`, that cluster's bearer token, HMAC-signed answer)
/// on the status listener.
public final class OperatorServer: Sendable {
    private let server: ObserveServer

    private init(server: ObserveServer) { self.server = server }

    /// Starts the listeners (`ObserveServer.Listener.threePorts()` in a cluster: :8080 metrics,
    /// :8081 probes, :8082 status, dashboard and heartbeats; tests put all on one port).
    public static func start(listeners: [ObserveServer.Listener], operator op: Operator,
                             observability: OperatorObservability, logger: Logger) async throws -> OperatorServer {
        let sources = ObserveSources(
            metrics: observability.metrics, readiness: observability.readiness, broadcaster: observability.broadcaster,
            status: { observability.statusJSON })
        let server = try await ObserveServer.start(listeners, sources: sources, logger: logger) { router in
            heartbeatRoutes(router, op)
        }
        return OperatorServer(server: server)
    }

    public func stop() async {
        await server.stop()
    }

    static func heartbeatRoutes(_ router: Hummingbird.Router<BasicRequestContext>, _ op: Operator) {
        router.post("/clusters/:namespace/:name/v1/heartbeat") { request, context -> Response in
            guard let namespace = context.parameters.get("namespace"), let name = context.parameters.get("name") else {
                return Response(status: .notFound)
            }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            guard let report = try? JSONDecoder().decode(AgentReport.self, from: Data(buffer.readableBytesView)) else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "body must be an AgentReport\n")))
            }
            switch await op.heartbeat(namespace: namespace, name: name, authorization: request.headers[.authorization], report: report) {
            case .unauthorized:
                return Response(status: .unauthorized)
            case .unknownCluster:
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no cluster \(namespace)/\(name) here\n")))
            case .notRunning:
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "controller not running yet\n")))
            case .word(let word, let token):
                return SignedReply.json(word, token: token)
            }
        }
    }
}

/// A failure of the operator itself, with the reason.
public struct OperatorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
