import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The three observability surfaces a controller serves. The operator puts each on its own
/// port (:8080 metrics, :8081 probes, :8082 status); `vigil local` puts all on one.
public enum ObserveSurface: String, Sendable, Hashable, CaseIterable {
    /// `GET /metrics` (Prometheus text).
    case metrics
    /// `GET /healthz`, `GET /readyz`.
    case probes
    /// `GET /status` (JSON), `GET /ws/status` (WebSocket), `GET /` (the dashboard).
    case status
}

/// What the surfaces read from the controller.
public struct ObserveSources: Sendable {
    public var metrics: ControllerMetrics
    public var readiness: Readiness
    public var broadcaster: StatusBroadcaster
    /// The `GET /status` body (JSON).
    public var status: @Sendable () async -> [UInt8]
    /// Brings scrape-time gauges up to date before `/metrics` answers.
    public var beforeScrape: @Sendable () async -> Void

    public init(
        metrics: ControllerMetrics, readiness: Readiness, broadcaster: StatusBroadcaster,
        status: @escaping @Sendable () async -> [UInt8], beforeScrape: @escaping @Sendable () async -> Void = {}
    ) {
        self.metrics = metrics
        self.readiness = readiness
        self.broadcaster = broadcaster
        self.status = status
        self.beforeScrape = beforeScrape
    }
}

public enum ObserveRoutes {
    public static let webSocketPath = "/ws/status"

    /// Adds the routes of `surfaces` to `router`. The WebSocket itself is upgraded by
    /// `server(_:)`; the plain-HTTP `/ws/status` route here only points non-WebSocket clients
    /// to `/status`.
    public static func mount<Context: RequestContext>(_ surfaces: Set<ObserveSurface>, on router: Router<Context>, sources: ObserveSources) {
        if surfaces.contains(.metrics) {
            router.get("/metrics") { _, _ -> Response in
                await sources.beforeScrape()
                sources.metrics.setBroadcast(sources.broadcaster.stats)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: sources.metrics.text())))
            }
        }
        if surfaces.contains(.probes) {
            router.get("/healthz") { _, _ in "ok\n" }
            router.get("/readyz") { _, _ -> Response in
                if let why = sources.readiness.notReadyReason {
                    return text(.serviceUnavailable, "not ready: \(why)\n")
                }
                return text(.ok, "ready\n")
            }
        }
        if surfaces.contains(.status) {
            router.get("/status") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"],
                         body: .init(byteBuffer: ByteBuffer(bytes: await sources.status())))
            }
            router.get(RouterPath(stringLiteral: webSocketPath)) { _, _ -> Response in
                // Reached only by plain HTTP requests (WebSocket upgrades are taken earlier).
                text(.upgradeRequired, "\(webSocketPath) is a WebSocket; poll /status for plain JSON\n")
            }
            router.get("/") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(string: Dashboard.html)))
            }
        }
    }

    /// The HTTP server for a listener: plain HTTP/1, with the status WebSocket when `surfaces`
    /// holds `.status`.
    public static func server(_ surfaces: Set<ObserveSurface>, sources: ObserveSources) -> HTTPServerBuilder {
        guard surfaces.contains(.status) else { return .http1() }
        let broadcaster = sources.broadcaster
        return .http1WebSocketUpgrade { request, channel, _ in
            guard request.path?.split(separator: "?").first.map(String.init) == webSocketPath else { return .dontUpgrade }
            // Upgraded even at the cap: a refused upgrade can only be an empty 400 here, while
            // a close frame carries a code (1013, try again later) and a reason a client shows.
            return .upgrade([:]) { inbound, outbound, _ in
                try await StatusStream.serve(broadcaster: broadcaster, channel: channel, inbound: inbound, outbound: outbound)
            }
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// One WebSocket client of `/ws/status`: the latest snapshot at once, then every change.
enum StatusStream {
    static func serve(broadcaster: StatusBroadcaster, channel: any Channel, inbound: WebSocketInboundStream,
                      outbound: WebSocketOutboundWriter) async throws {
        // Dropping a slow client closes its connection: that also fails a write stuck on a
        // full socket, so the client's own task ends too (the publisher never waits for it).
        guard let subscription = broadcaster.subscribe(onDrop: { channel.close(promise: nil) }) else {
            // At the client cap: 1013 is "try again later".
            try await outbound.close(.unknown(1013), reason: "too many status clients (cap \(broadcaster.configuration.maxClients)); retry later")
            return
        }
        defer { subscription.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The client sends nothing we need; this ends when it closes.
                for try await _ in inbound {}
            }
            group.addTask {
                while let message = await subscription.next() {
                    // Split into frames of the negotiated size; browsers reassemble them.
                    try await outbound.writeTextMessage(message)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
