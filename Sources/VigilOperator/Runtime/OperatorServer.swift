import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import VigilAgent
import VigilCore

/// The operator's HTTP surfaces: agents' heartbeats (`POST /clusters/{ns}/{name}/v1/heartbeat`,
/// bearer token of that cluster, HMAC-signed answer), `/status` (every cluster), `/healthz`
/// and `/readyz` (ready = leading and the cluster list synced). One listener per port given;
/// the same port may carry several surfaces.
public final class OperatorServer: Sendable {
    public enum Surface: Sendable, Hashable { case status, probes }

    private let tasks: [Task<Void, any Error>]
    public let ports: [Int]

    private init(tasks: [Task<Void, any Error>], ports: [Int]) {
        self.tasks = tasks
        self.ports = ports
    }

    public static func start(host: String = "0.0.0.0", listeners: [(port: Int, surfaces: Set<Surface>)],
                             operator op: Operator, logger: Logger) async throws -> OperatorServer {
        var tasks: [Task<Void, any Error>] = []
        var ports: [Int] = []
        var quiet = logger
        quiet.logLevel = .warning
        for listener in listeners {
            let router = Hummingbird.Router()
            if listener.surfaces.contains(.probes) { probeRoutes(router, op) }
            if listener.surfaces.contains(.status) { statusRoutes(router, op) }
            let (bound, continuation) = AsyncStream.makeStream(of: Int?.self)
            let app = Application(router: router, configuration: .init(address: .hostname(host, port: listener.port),
                                                                       serverName: "vigil-operator"),
                                  onServerRunning: { channel in continuation.yield(channel.localAddress?.port) }, logger: quiet)
            let task = Task {
                defer { continuation.yield(nil) }
                try await app.run()
            }
            var iterator = bound.makeAsyncIterator()
            guard let port = await iterator.next() ?? nil else {
                for t in tasks + [task] { t.cancel() }
                throw OperatorError("the operator's HTTP server could not listen on \(host):\(listener.port) (in use?)")
            }
            tasks.append(task)
            ports.append(port)
        }
        return OperatorServer(tasks: tasks, ports: ports)
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
    }

    static func probeRoutes(_ router: Hummingbird.Router<BasicRequestContext>, _ op: Operator) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let leading = await op.leading
            let synced = await op.synced
            let ready = leading && synced
            let text = ready ? "ok\n" : leading ? "leading; cluster list not synced yet\n" : "standing by (not the leader)\n"
            return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    static func statusRoutes(_ router: Hummingbird.Router<BasicRequestContext>, _ op: Operator) {
        router.get("/status") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let body = try encoder.encode(["clusters": await op.statusSnapshot()])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
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
                let body = try JSONEncoder().encode(word)
                var response = Response(status: .ok, headers: [.contentType: "application/json"],
                                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
                response.headers[HTTPField.Name(AgentAPI.signatureHeader)!] = AgentAPI.sign(body: Array(body), token: token)
                return response
            }
        }
    }
}

/// A failure of the operator itself, with the reason.
public struct OperatorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
