import Foundation

/// `core/v1` Event.
public struct Event: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    public var type: String?
    public var count: Int?
    public var firstTimestamp: Date?
    public var lastTimestamp: Date?
    public var source: EventSource?
    public var reportingComponent: String?
    public var reportingInstance: String?
    public var action: String?

    public init(metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference = ObjectReference(), reason: String? = nil, message: String? = nil, type: String? = nil, count: Int? = nil, firstTimestamp: Date? = nil, lastTimestamp: Date? = nil, source: EventSource? = nil, reportingComponent: String? = nil, reportingInstance: String? = nil, action: String? = nil) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.source = source
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
        self.action = action
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        involvedObject = try container.decodeIfPresent(ObjectReference.self, forKey: .involvedObject) ?? ObjectReference()
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        firstTimestamp = try container.decodeIfPresent(Date.self, forKey: .firstTimestamp)
        lastTimestamp = try container.decodeIfPresent(Date.self, forKey: .lastTimestamp)
        source = try container.decodeIfPresent(EventSource.self, forKey: .source)
        reportingComponent = try container.decodeIfPresent(String.self, forKey: .reportingComponent)
        reportingInstance = try container.decodeIfPresent(String.self, forKey: .reportingInstance)
        action = try container.decodeIfPresent(String.self, forKey: .action)
    }
}

/// The component that reported an event.
public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
