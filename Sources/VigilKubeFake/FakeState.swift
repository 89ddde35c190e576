import Foundation
import VigilKube

/// Where an object lives: its type (group + plural), namespace (`""` if cluster-scoped), name.
struct ObjectKey: Hashable, Comparable, Sendable {
    var type: String
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.type, lhs.namespace, lhs.name) < (rhs.type, rhs.namespace, rhs.name)
    }
}

/// A field manager as server-side apply records it: the name plus whether it applied
/// (Apply) or wrote by create / update / patch (Update).
struct ManagerKey: Hashable, Sendable {
    var name: String
    var applied: Bool
}

struct StoredObject: Sendable {
    var object: JSONValue
    var managers: [ManagerKey: Set<FieldPath>] = [:]
    /// The propagation policy of a delete that waits for finalizers.
    var pendingPropagation: PropagationPolicy?
}

/// One change, kept in the bounded history that watches replay from.
struct HistoryEvent: Sendable {
    enum Change: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED"
    }

    var revision: Int64
    var key: ObjectKey
    var change: Change
    var object: JSONValue
    /// The object before the change (nil for ADDED); lets filtered watches turn a change
    /// that leaves the selector into DELETED, and lets lists rebuild older snapshots.
    var previous: JSONValue?
}

struct Watcher: Sendable {
    var type: FakeResourceType
    var namespace: String?
    var labels: LabelSelectorQuery
    var fields: FieldSelector
    var bookmarks: Bool
    var sink: AsyncStream<[UInt8]>.Continuation
}

/// Everything the fake API server stores; mutated only under `FakeKubeServer`'s lock, so
/// every operation is atomic and events reach watchers in resourceVersion order.
struct FakeState: Sendable {
    var types: [String: FakeResourceType] = [:]
    var objects: [ObjectKey: StoredObject] = [:]
    /// The global resourceVersion: bumped by every change of any object.
    var revision: Int64 = 100
    var history: [HistoryEvent] = []
    /// Watches and continue tokens from a version below this get 410 Gone.
    var historyFloor: Int64 = 100
    var historyLimit: Int
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 0
    var clock: @Sendable () -> Date

    init(historyLimit: Int, clock: @escaping @Sendable () -> Date) {
        self.historyLimit = historyLimit
        self.clock = clock
        for type in FakeResourceType.builtIn { register(type) }
    }

    mutating func register(_ type: FakeResourceType) {
        types["\(type.group)/\(type.version)/\(type.plural)"] = type
    }

    func type(group: String, version: String, plural: String) -> FakeResourceType? {
        types["\(group)/\(version)/\(plural)"]
    }

    func key(_ type: FakeResourceType, _ namespace: String?, _ name: String) -> ObjectKey {
        ObjectKey(type: type.key, namespace: type.namespaced ? namespace ?? "" : "", name: name)
    }

    /// Appends an event to the history (dropping the oldest beyond the limit) and hands it to
    /// every matching watch.
    mutating func record(_ change: HistoryEvent.Change, _ key: ObjectKey, _ object: JSONValue,
                         previous: JSONValue?) {
        let event = HistoryEvent(revision: revision, key: key, change: change, object: object, previous: previous)
        history.append(event)
        if history.count > historyLimit {
            let dropped = history.count - historyLimit
            historyFloor = history[dropped - 1].revision
            history.removeFirst(dropped)
        }
        for watcher in watchers.values {
            if let line = Self.line(for: event, watcher) { watcher.sink.yield(line) }
        }
    }

    mutating func nextRevision() -> Int64 {
        revision += 1
        return revision
    }

    // MARK: Watch lines

    /// The line a watcher sees for an event, if any: a change into or out of its selector
    /// becomes ADDED or DELETED, as with the real server.
    static func line(for event: HistoryEvent, _ watcher: Watcher) -> [UInt8]? {
        guard event.key.type == watcher.type.key else { return nil }
        if let namespace = watcher.namespace, event.key.namespace != namespace { return nil }
        let matchesNow = watcher.matches(event.object)
        let matchedBefore = event.previous.map(watcher.matches) ?? false
        let change: String
        switch event.change {
        case .added:
            guard matchesNow else { return nil }
            change = "ADDED"
        case .modified:
            switch (matchedBefore, matchesNow) {
            case (true, true): change = "MODIFIED"
            case (false, true): change = "ADDED"
            case (true, false): change = "DELETED"
            case (false, false): return nil
            }
        case .deleted:
            guard matchesNow else { return nil }
            change = "DELETED"
        }
        return encodeLine(type: change, object: event.object)
    }

    static func encodeLine(type: String, object: JSONValue) -> [UInt8] {
        let envelope: JSONValue = ["type": .string(type), "object": object]
        var bytes = Array((try? KubeCodec.encode(envelope)) ?? Data())
        bytes.append(0x0A)
        return bytes
    }

    func bookmarkLine(for type: FakeResourceType) -> [UInt8] {
        Self.encodeLine(type: "BOOKMARK", object: [
            "apiVersion": .string(type.apiVersion), "kind": .string(type.kind),
            "metadata": ["resourceVersion": .string(String(revision))],
        ])
    }

    // MARK: Helpers

    static func labels(of object: JSONValue) -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in object[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            labels[key] = value.stringValue ?? ""
        }
        return labels
    }

    static func timestamp(_ date: Date) -> JSONValue { .string(RFC3339.format(date)) }

    /// Spec-like content: everything but metadata and status (what `generation` tracks).
    static func specContent(_ object: JSONValue) -> JSONValue {
        var members = object.objectValue ?? [:]
        for key in ["metadata", "status", "apiVersion", "kind"] { members.removeValue(forKey: key) }
        return .object(members)
    }
}

extension Watcher {
    func matches(_ object: JSONValue) -> Bool {
        labels.matches(FakeState.labels(of: object)) && fields.matches(object)
    }
}
