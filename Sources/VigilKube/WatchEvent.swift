import Foundation

/// One change seen by a watch.
public enum WatchEvent<T: KubeResource>: Sendable {
    case added(T)
    case modified(T)
    case deleted(T)
    /// Progress marker: every change up to `resourceVersion` has been delivered.
    case bookmark(resourceVersion: String)

    /// The object's resourceVersion, or the bookmark's: where to resume a watch from.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.metadata.resourceVersion
        case .bookmark(let resourceVersion): resourceVersion
        }
    }

    public var object: T? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        case .bookmark: nil
        }
    }

    /// Decodes one line of a watch stream. An `ERROR` event is thrown as the `KubeError` of
    /// its `Status` (a 410 means the resourceVersion is too old: list again).
    static func decode(line: [UInt8], label: String) throws(KubeError) -> WatchEvent<T> {
        do {
            let envelope = try KubeCodec.decode(WatchEnvelope.self, from: Data(line))
            switch envelope.type {
            case "ADDED": return .added(try KubeCodec.decode(T.self, from: envelope.object))
            case "MODIFIED": return .modified(try KubeCodec.decode(T.self, from: envelope.object))
            case "DELETED": return .deleted(try KubeCodec.decode(T.self, from: envelope.object))
            case "BOOKMARK":
                let version = envelope.object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
                return .bookmark(resourceVersion: version)
            case "ERROR":
                let status = try KubeCodec.decode(Status.self, from: envelope.object)
                throw KubeError(status: status, request: label)
            default:
                throw KubeError(kind: .decoding, message: "unknown watch event type \(envelope.type)", request: label)
            }
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError(kind: .decoding, message: "bad watch event for \(T.kind): \(error)", request: label)
        }
    }
}

/// Query options of a watch.
public struct WatchOptions: Sendable, Hashable {
    /// Start after this version (from a list or a previous event); `nil` starts with
    /// synthetic ADDED events for every existing object.
    public var resourceVersion: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    public var allowWatchBookmarks: Bool
    /// The server ends the stream after this long (it may end it earlier).
    public var timeoutSeconds: Int?

    public init(resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}

/// The wire form of a watch event: `{"type": "ADDED", "object": {...}}`.
struct WatchEnvelope: Codable {
    var type: String
    var object: JSONValue
}
