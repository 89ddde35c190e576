import Foundation
import Hummingbird
import NIOCore
import VigilAgent
import VigilCore

/// A controller stand-in: answers `POST /v1/heartbeat` with the word the test sets, signed
/// (or wrongly signed, or not at all), and records every report.
actor FakeController {
    enum Mode: Sendable {
        /// 503 without a word: the agent hears nothing that renews its lease.
        case silent
        case answer(ControllerWord)
        /// A word with a signature made with another token.
        case badSignature(ControllerWord)
    }

    struct Received: Sendable {
        var at: ContinuousClock.Instant
        var report: AgentReport
        var authorized: Bool
    }

    let token: String
    private(set) var mode: Mode = .silent
    private(set) var received: [Received] = []
    private var server: TestHTTPServer?

    init(token: String) {
        self.token = token
    }

    func start() async throws -> String {
        let router = Router()
        router.post(RouterPath(AgentAPI.heartbeatPath)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let authorized = AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: self.token)
            let report = try? AgentAPI.decode(AgentReport.self, from: Array(buffer: body))
            return await self.answer(report, authorized: authorized)
        }
        let server = try await TestHTTPServer.start(router)
        self.server = server
        return server.baseURL
    }

    func stop() async {
        await server?.stop()
    }

    func set(_ mode: Mode) {
        self.mode = mode
    }

    func reports(since: ContinuousClock.Instant) -> [Received] {
        received.filter { $0.at >= since }
    }

    var lastReport: AgentReport? { received.last?.report }

    private func answer(_ report: AgentReport?, authorized: Bool) -> Response {
        if let report { received.append(Received(at: .now, report: report, authorized: authorized)) }
        guard authorized else { return Response(status: .unauthorized) }
        switch mode {
        case .silent:
            return Response(status: .serviceUnavailable)
        case .answer(let word):
            return Self.signed(word, token: token)
        case .badSignature(let word):
            return Self.signed(word, token: token + "-wrong")
        }
    }

    static func signed<T: Encodable>(_ value: T, token: String) -> Response {
        let body = (try? AgentAPI.encode(value)) ?? []
        var headers = HTTPFields()
        headers[.contentType] = AgentAPI.jsonContentType
        if let name = HTTPFields.Element.Name(AgentAPI.signatureHeader) {
            headers[name] = AgentAPI.sign(body: body, token: token)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// A peer stand-in: answers `GET /peer/ping` with a signed vouch the test sets.
actor FakePeer {
    let token: String
    private(set) var vouch: PeerVouch?
    private(set) var pings = 0
    private var server: TestHTTPServer?

    init(token: String) {
        self.token = token
    }

    func start() async throws -> String {
        let router = Router()
        router.get(RouterPath(AgentAPI.peerPingPath)) { _, _ -> Response in
            await self.answer()
        }
        let server = try await TestHTTPServer.start(router)
        self.server = server
        return server.baseURL
    }

    func stop() async {
        await server?.stop()
    }

    func set(_ vouch: PeerVouch?) {
        self.vouch = vouch
    }

    private func answer() -> Response {
        pings += 1
        guard let vouch else { return Response(status: .serviceUnavailable) }
        return FakeController.signed(vouch, token: token)
    }
}
