import Foundation
import VigilKube

extension FakeState {
    func get(_ type: FakeResourceType, namespace: String?, name: String) throws(FakeAPIError) -> JSONValue {
        guard let stored = objects[key(type, namespace, name)] else { throw .notFound(type, name) }
        return stored.object
    }

    /// A list page. Pages after the first are served from the snapshot of the first page's
    /// resourceVersion (rebuilt from history), so paging is consistent; a token older than
    /// the history answers 410 Expired, as the real server does after compaction.
    func list(_ type: FakeResourceType, namespace: String?, labels: LabelSelectorQuery, fields: FieldSelector,
              limit: Int?, continueToken: String?) throws(FakeAPIError) -> JSONValue {
        var snapshotRevision = revision
        var after: ObjectKey?
        if let continueToken, !continueToken.isEmpty {
            guard let token = ContinueToken(encoded: continueToken) else {
                throw .badRequest("invalid continue token")
            }
            guard token.revision >= historyFloor else {
                throw .gone("The provided continue parameter is too old to display a consistent list result. "
                            + "You can start a new list without the continue parameter.")
            }
            snapshotRevision = token.revision
            after = token.after
        }
        var view = objects.filter { $0.key.type == type.key }.mapValues(\.object)
        // Undo newer changes to get back to the snapshot.
        for event in history.reversed() where event.revision > snapshotRevision && event.key.type == type.key {
            switch event.change {
            case .added: view.removeValue(forKey: event.key)
            case .modified, .deleted: view[event.key] = event.previous
            }
        }
        var keys = view.keys.filter { key in
            (namespace == nil || key.namespace == namespace)
                && labels.matches(Self.labels(of: view[key]!)) && fields.matches(view[key]!)
        }.sorted()
        if let after { keys = keys.filter { $0 > after } }
        var continueOut: String?
        if let limit, limit > 0, keys.count > limit {
            keys = Array(keys.prefix(limit))
            continueOut = ContinueToken(revision: snapshotRevision, after: keys.last!).encoded
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(snapshotRevision))]
        if let continueOut { metadata["continue"] = .string(continueOut) }
        return [
            "apiVersion": .string(type.apiVersion),
            "kind": .string(type.kind + "List"),
            "metadata": .object(metadata),
            "items": .array(keys.map { view[$0]! }),
        ]
    }

    /// Registers a watch and returns the lines it starts with: synthetic ADDED events for a
    /// watch from "now" (no or `"0"` resourceVersion), else the history after the given
    /// version, or a 410 ERROR event if that version has been compacted away.
    mutating func startWatch(_ watcher: Watcher, from version: String?) throws(FakeAPIError)
        -> (id: Int?, lines: [[UInt8]])
    {
        var lines: [[UInt8]] = []
        if let version, version != "0", !version.isEmpty {
            guard let start = Int64(version) else {
                throw .badRequest("resourceVersion \"\(version)\" is not a valid resource version")
            }
            if start < historyFloor {
                let status = Status(message: "too old resource version: \(start) (\(historyFloor))", reason: "Expired",
                                    code: 410)
                let object = (try? KubeCodec.json(status)) ?? .null
                return (nil, [Self.encodeLine(type: "ERROR", object: object)])
            }
            for event in history where event.revision > start {
                if let line = Self.line(for: event, watcher) { lines.append(line) }
            }
        } else {
            for (key, stored) in objects.sorted(by: { $0.key < $1.key }) where key.type == watcher.type.key {
                if let namespace = watcher.namespace, key.namespace != namespace { continue }
                if watcher.matches(stored.object) { lines.append(Self.encodeLine(type: "ADDED", object: stored.object)) }
            }
        }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[id] = watcher
        return (id, lines)
    }

    mutating func stopWatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.sink.finish()
    }

    /// Ends every open watch (clients see the stream close, as on an API server restart).
    mutating func closeAllWatches() {
        for watcher in watchers.values { watcher.sink.finish() }
        watchers = [:]
    }

    /// Forgets all history: watches and continue tokens from older versions now get 410.
    mutating func compactHistory() {
        history = []
        historyFloor = revision
    }

    func sendBookmark(_ id: Int) {
        guard let watcher = watchers[id], watcher.bookmarks else { return }
        watcher.sink.yield(bookmarkLine(for: watcher.type))
    }
}

/// Where the next page starts: the snapshot's revision and the last key served.
struct ContinueToken {
    var revision: Int64
    var after: ObjectKey

    init(revision: Int64, after: ObjectKey) {
        self.revision = revision
        self.after = after
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded),
              let json = try? KubeCodec.decode(JSONValue.self, from: data),
              let revision = json["rv"]?.stringValue.flatMap({ Int64($0) }),
              let type = json["t"]?.stringValue, let namespace = json["ns"]?.stringValue,
              let name = json["n"]?.stringValue else { return nil }
        self.init(revision: revision, after: ObjectKey(type: type, namespace: namespace, name: name))
    }

    var encoded: String {
        let json: JSONValue = ["rv": .string(String(revision)), "t": .string(after.type),
                               "ns": .string(after.namespace), "n": .string(after.name)]
        return ((try? KubeCodec.encode(json)) ?? Data()).base64EncodedString()
    }
}
