import Foundation
import Hummingbird
import Logging
import NIOCore
import HTTPTypes
import VigilAgent
import VigilCore

/// The local controller's HTTP surface on `--port-base + 2`: agents' heartbeats, operator
/// requests (switchover, cooldown override, unquarantine), health and status.
final class ControllerServer: Sendable {
    private let task: Task<Void, any Error>

    private init(task: Task<Void, any Error>) { self.task = task }

    static func start(port: Int, token: String, supervisor: LocalSupervisor, logger: Logger) async throws(LocalError) -> ControllerServer {
        let router = Hummingbird.Router()
        routes(router, token: token, supervisor: supervisor)
        var quiet = logger
        quiet.logLevel = .warning
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Bool.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "vigil-controller"),
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
            let why = await (try? task.value).map { "stopped" } ?? "port \(port) on 127.0.0.1 is in use?"
            throw .failed("the controller's HTTP server could not start on 127.0.0.1:\(port) (\(why))")
        }
        return ControllerServer(task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    private static func routes(_ router: Hummingbird.Router<BasicRequestContext>, token: String, supervisor: LocalSupervisor) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/status") { _, _ -> Response in
            json(await supervisor.statusJSON)
        }
        router.post("/v1/heartbeat") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            guard let report: AgentReport = try await decode(request) else { return badRequest("body must be an AgentReport") }
            let word = await supervisor.heartbeat(report)
            let body = (try? JSONEncoder().encode(word)) ?? Data()
            var response = json(body)
            response.headers[signatureHeader] = AgentAPI.sign(body: Array(body), token: token)
            return response
        }
        router.post("/v1/switchover") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            let ask: SwitchoverAsk = try await decode(request) ?? SwitchoverAsk(to: nil)
            return json(try JSONEncoder().encode(await supervisor.requestSwitchover(to: ask.to)))
        }
        router.post("/v1/operator") { request, _ -> Response in
            guard AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token) else { return unauthorized() }
            guard let command: OperatorCommand = try await decode(request) else { return badRequest("body must be an OperatorCommand") }
            return json(try JSONEncoder().encode(await supervisor.operatorCommand(command)))
        }
    }

    private static let signatureHeader = HTTPField.Name(AgentAPI.signatureHeader)!

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
