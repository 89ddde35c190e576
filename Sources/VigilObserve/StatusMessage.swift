/// What `/ws/status` sends (and the dashboard reads): every group's status object (the same
/// JSON as its `status.json` / `GET /status`), its last events and the current or last
/// failover/switchover timeline.
public struct StatusMessage<Status: Encodable & Sendable>: Encodable, Sendable {
    public var type = "snapshot"
    /// When the message was built (ISO 8601).
    public var at: String
    public var groups: [GroupView<Status>]

    public init(at: String, groups: [GroupView<Status>]) {
        self.at = at
        self.groups = groups
    }
}

public struct GroupView<Status: Encodable & Sendable>: Encodable, Sendable {
    public var name: String
    public var status: Status
    public var events: [ObservedEvent]
    public var operation: OperationTimeline?

    public init(name: String, status: Status, events: [ObservedEvent], operation: OperationTimeline?) {
        self.name = name
        self.status = status
        self.events = events
        self.operation = operation
    }
}

/// One line of the dashboard's event list.
public struct ObservedEvent: Codable, Sendable, Equatable {
    public var at: String
    /// failover, switchover, decision, action, process, operator
    public var kind: String
    public var instance: String?
    public var decision: UInt64?
    public var text: String

    public init(at: String, kind: String, instance: String? = nil, decision: UInt64? = nil, text: String) {
        self.at = at
        self.kind = kind
        self.instance = instance
        self.decision = decision
        self.text = text
    }
}

/// The last `capacity` events, oldest first.
public struct EventRing: Sendable {
    public let capacity: Int
    public private(set) var events: [ObservedEvent] = []

    public init(capacity: Int = 50) { self.capacity = capacity }

    public mutating func append(_ event: ObservedEvent) {
        events.append(event)
        if events.count > capacity { events.removeFirst(events.count - capacity) }
    }
}
