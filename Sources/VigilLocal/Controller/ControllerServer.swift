import Foundation
import Hummingbird
import Logging
import NIOCore
import HTTPTypes
import VigilAgent
import VigilCore
import VigilObserve

/// The local controller's HTTP surface on `--port-base + 2`: agents' heartbeats, operator
/// requests (switchover, cooldown override, unquarantine), and VigilObserve's surfaces:
/// `/metrics`, `/healthz`, `/readyz`, `/status`, `/ws/status` and the dashboard at `/`.
final class ControllerServer: Sendable {
    private let task: Task<Void, any Error>

    private init(task: Task<Void, any Error>) { self.task = task }

    /// Everything on one listener: the controller's own API plus the observability surfaces
    /// (metrics, probes, status, WebSocket, dashboard), where `controller.urls` points.
    static func start(port: Int, token: String, supervisor: LocalSupervisor, observe: LocalObserve,
                      logger: Logger) async throws(LocalError) -> ControllerServer {
        let router = Hummingbird.Router()
        let sources = observe.sources { Array(await supervisor.statusJSON) }
        ObserveRoutes.mount(Set(ObserveSurface.allCases), on: router, sources: sources)
        routes(router, token: token, supervisor: supervisor)
        do {
            let task = try await ObserveServer.run(router: router, listener: .init(port: port, surfaces: Set(ObserveSurface.allCases)),
                                                   sources: sources, logger: logger)
            return ControllerServer(task: task)
        } catch {
            throw .failed("\(error)")
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    private static func routes(_ router: Hummingbird.Router<BasicRequestContext>, token: String, supervisor: LocalSupervisor) {
        router.post("/v1/heartbeat") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            guard let report: AgentReport = try await decode(request) else { return badRequest("body must be an AgentReport") }
            return SignedReply.json(await supervisor.heartbeat(report), token: token)
        }
        router.post("/v1/switchover") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            let ask: SwitchoverAsk = try await decode(request) ?? SwitchoverAsk(to: nil)
            return json(try JSONEncoder().encode(await supervisor.requestSwitchover(to: ask.to)))
        }
        router.post("/v1/rebuild") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            guard let ask: RebuildAsk = try await decode(request) else { return badRequest("body must be {\"instance\": NAME}") }
            return json(try JSONEncoder().encode(await supervisor.rebuild(ask.instance)))
        }
        router.post("/v1/operator") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            guard let command: OperatorCommand = try await decode(request) else { return badRequest("body must be an OperatorCommand") }
            return json(try JSONEncoder().encode(await supervisor.operatorCommand(command)))
        }
    }

    private static func decode<T: Decodable>(_ request: Request) async throws -> T? {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return try? JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    private static func json(_ body: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func unauthorized() -> Response { Response(status: .unauthorized) }

    private static func badRequest(_ why: String) -> Response {
        Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: why + "\n")))
    }
}

/// `POST /v1/rebuild` body.
struct RebuildAsk: Codable, Sendable {
    var instance: String
}

/// `POST /v1/switchover` body.
struct SwitchoverAsk: Codable, Sendable {
    var to: String?
}

/// The answer to an operator request: whether the controller took it, and why.
public struct ControllerReply: Codable, Sendable {
    public var accepted: Bool
    public var state: String
    public var reason: String
    public var trail: [String]
}
