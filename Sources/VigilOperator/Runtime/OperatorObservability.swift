import Foundation
import NIOConcurrencyHelpers
import VigilControl
import VigilObserve

/// The operator's observability state, shared by every cluster: Prometheus metrics (one
/// `group` label per cluster), readiness (leading, cluster list synced) and the status
/// broadcaster behind `/ws/status` and the dashboard. Publishing never waits for clients.
public final class OperatorObservability: Sendable {
    public let metrics = ControllerMetrics()
    public let readiness = Readiness()
    public let broadcaster = StatusBroadcaster()
    private let groups = NIOLockedValueBox<[String: GroupView<MySQLClusterStatus>]>([:])

    public init() {}

    func update(group: String, status: MySQLClusterStatus, event: ObservedEvent? = nil) {
        let message: StatusMessage<MySQLClusterStatus> = groups.withLockedValue { groups in
            var view = groups[group] ?? GroupView(name: group, status: status, events: [], operation: nil)
            view.status = status
            if let event { view.events = Array((view.events + [event]).suffix(50)) }
            groups[group] = view
            return StatusMessage(at: ControllerClock.iso8601(ControllerClock().now()),
                                 groups: groups.keys.sorted().compactMap { groups[$0] })
        }
        publish(message)
    }

    func event(group: String, kind: String, instance: String? = nil, text: String) {
        let message: StatusMessage<MySQLClusterStatus>? = groups.withLockedValue { groups in
            guard var view = groups[group] else { return nil }
            view.events = Array((view.events + [ObservedEvent(at: ControllerClock.iso8601(ControllerClock().now()), kind: kind,
                                                              instance: instance, text: text)]).suffix(50))
            groups[group] = view
            return StatusMessage(at: ControllerClock.iso8601(ControllerClock().now()), groups: groups.keys.sorted().compactMap { groups[$0] })
        }
        if let message { publish(message) }
    }

    func remove(group: String) {
        _ = groups.withLockedValue { $0.removeValue(forKey: group) }
    }

    private func publish(_ message: StatusMessage<MySQLClusterStatus>) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(message) else { return }
        broadcaster.publish(String(decoding: data, as: UTF8.self))
    }

    /// `GET /status`: every cluster's status, keyed `namespace/name`.
    public var statusJSON: [UInt8] {
        let statuses = groups.withLockedValue { $0.mapValues(\.status) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return Array((try? encoder.encode(["clusters": statuses])) ?? Data("{}".utf8))
    }
}
