import Foundation
import VigilObserve

/// The local controller's observability state shared with its HTTP surfaces (all Sendable
/// references): metrics, readiness and the status broadcaster.
struct LocalObserve: Sendable {
    let metrics = ControllerMetrics()
    let readiness = Readiness()
    let broadcaster = StatusBroadcaster(configuration: .init(maxClients: LocalObserve.maxClients(), bufferPerClient: 32))

    /// `VIGIL_STATUS_MAX_CLIENTS` overrides the default cap of 200 WebSocket clients (tests
    /// use a small one to see the cap enforced).
    static func maxClients() -> Int {
        ProcessInfo.processInfo.environment["VIGIL_STATUS_MAX_CLIENTS"].flatMap(Int.init).map { max(1, $0) } ?? 200
    }

    func sources(status: @escaping @Sendable () async -> [UInt8]) -> ObserveSources {
        ObserveSources(metrics: metrics, readiness: readiness, broadcaster: broadcaster, status: status)
    }
}
