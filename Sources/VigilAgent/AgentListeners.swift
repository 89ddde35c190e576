import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's three HTTP listeners (Hummingbird): role probe, sidecar API, exporter.
extension Agent {
    enum ListenerEvent: Sendable {
        case bound(name: String, port: Int)
        case failed(AgentError)
    }

    private struct ListenerSpec {
        var name: String
        var port: Int
        var router: Router<BasicRequestContext>
    }

    /// Starts every listener as a child of `group` and returns once all are bound; if any
    /// cannot bind, the others are cancelled and a clear error (naming the port) is thrown.
    func startListeners(in group: inout ThrowingTaskGroup<Void, any Error>) async throws {
        let host = config.listen.host
        let specs = [
            ListenerSpec(name: "role probe", port: config.listen.roleProbePort, router: roleRouter()),
            ListenerSpec(name: "sidecar", port: config.listen.sidecarPort, router: sidecarRouter()),
            ListenerSpec(name: "metrics", port: config.listen.metricsPort, router: metricsRouter()),
        ]
        let (events, sink) = AsyncStream<ListenerEvent>.makeStream()
        var httpLogger = logger
        // Hummingbird reports cancellation (our normal stop) as an error; bind failures are
        // turned into `AgentError` and logged by the agent itself.
        httpLogger.logLevel = .critical
        for spec in specs {
            let name = spec.name
            let port = spec.port
            let app = Application(
                router: spec.router,
                configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
                onServerRunning: { channel in
                    sink.yield(.bound(name: name, port: channel.localAddress?.port ?? port))
                },
                logger: httpLogger)
            group.addTask {
                do {
                    try await app.run()
                } catch {
                    if Task.isCancelled { return }
                    let failure = Self.listenError(error, listener: name, host: host, port: port)
                    sink.yield(.failed(failure))
                    throw failure
                }
                if Task.isCancelled { return }
                let failure = AgentError.listenerStopped(listener: name, reason: "it returned unexpectedly")
                sink.yield(.failed(failure))
                throw failure
            }
        }
        var ports: [String: Int] = [:]
        for await event in events {
            switch event {
            case .bound(let name, let port):
                ports[name] = port
            case .failed(let error):
                logger.error("\(error)")
                throw error
            }
            if ports.count == specs.count { break }
        }
        sink.finish()
        try Task.checkCancellation()
        listening = BoundPorts(
            host: host, roleProbe: ports["role probe"] ?? 0, sidecar: ports["sidecar"] ?? 0, metrics: ports["metrics"] ?? 0)
    }

    static func listenError(_ error: any Error, listener: String, host: String, port: Int) -> AgentError {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return .portInUse(listener: listener, host: host, port: port)
        }
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: \(EADDRINUSE)") {
            return .portInUse(listener: listener, host: host, port: port)
        }
        return .listenFailed(listener: listener, host: host, port: port, reason: text)
    }

    // MARK: Routers

    private func roleRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(AgentAPI.rolePath)) { _, _ -> Response in
            Self.json(await self.roleReply(), token: nil)
        }
        return router
    }

    private func sidecarRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let token = config.token
        router.get(RouterPath(AgentAPI.healthPath)) { _, _ -> Response in
            Self.json(await self.health(), token: token)
        }
        router.get(RouterPath(AgentAPI.statusPath)) { _, _ -> Response in
            Self.json(await self.status(), token: token)
        }
        router.get(RouterPath(AgentAPI.peerPingPath)) { _, _ -> Response in
            Self.json(await self.vouch(), token: token)
        }
        router.post(RouterPath(AgentAPI.fencePath)) { request, _ -> Response in
            guard Self.authorized(request, token: token) else { return Self.unauthorized() }
            let (result, status) = await self.requestFence()
            switch result {
            case .confirmed:
                return Self.json(status, token: token)
            case .failed(let why), .ambiguous(let why):
                return Self.json(FenceFailure(error: "fence not confirmed: \(why)", status: status), status: .serviceUnavailable,
                                 token: token)
            }
        }
        router.post(RouterPath(AgentAPI.unfencePath)) { request, _ -> Response in
            guard Self.authorized(request, token: token) else { return Self.unauthorized() }
            return Self.json(await self.requestUnfence(), token: token)
        }
        router.post(RouterPath(AgentAPI.pokePath)) { request, _ -> Response in
            guard Self.authorized(request, token: token) else { return Self.unauthorized() }
            await self.poke()
            return Response(status: .accepted)
        }
        return router
    }

    private func metricsRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(AgentAPI.metricsPath)) { _, _ -> Response in
            let text = await self.metricsText()
            var headers = HTTPFields()
            headers[.contentType] = AgentAPI.prometheusContentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }

    // MARK: Helpers

    struct FenceFailure: Codable, Sendable {
        var error: String
        var status: StatusReply
    }

    // `HTTPFields.Element` is `HTTPField` (HTTPTypes), whose module Hummingbird does not re-export.

    static func authorized(_ request: Request, token: String) -> Bool {
        AgentAPI.isAuthorized(authorization: request.headers[.authorization], token: token)
    }

    /// 401 without detail: nothing about why.
    static func unauthorized() -> Response {
        Response(status: .unauthorized)
    }

    /// A JSON reply, signed with the token when given.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, token: String?) -> Response {
        SignedReply.json(value, status: status, token: token)
    }
}

/// Replies under the agent contract (`AgentAPI`): JSON, HMAC-signed with the group's token when
/// given. The agent's endpoints and both controllers' heartbeat answers (local and operator)
/// use it, so a word is signed the same way wherever it comes from.
public enum SignedReply {
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, token: String?) -> Response {
        let body: [UInt8]
        do {
            body = try AgentAPI.encode(value)
        } catch {
            return Response(status: .internalServerError)
        }
        var headers = HTTPFields()
        headers[.contentType] = AgentAPI.jsonContentType
        if let token, let field = HTTPFields.Element.Name(AgentAPI.signatureHeader) {
            headers[field] = AgentAPI.sign(body: body, token: token)
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
