import Logging
import NIOConcurrencyHelpers
import VigilKube

/// A list-then-watch cache of one resource type across all namespaces, like client-go's
/// informer: controllers read it instead of listing, and are woken on every change.
final class Informer<T: KubeResource>: Sendable {
    private struct State {
        var objects: [String: T] = [:]
        var synced = false
    }

    private let state = NIOLockedValueBox(State())

    static func key(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    static func key(_ object: T) -> String { key(namespace: object.metadata.namespace, name: object.name) }

    /// Whether the first list has arrived: before it, an empty cache means nothing.
    var synced: Bool { state.withLockedValue { $0.synced } }

    var items: [T] { state.withLockedValue { Array($0.objects.values) } }

    func get(namespace: String?, name: String) -> T? {
        state.withLockedValue { $0.objects[Self.key(namespace: namespace, name: name)] }
    }

    /// Records a write's result at once, so the next reconcile does not act on a cache that
    /// has not caught up (e.g. create the same pod twice). A newer version is never replaced
    /// by an older one (the fake's resourceVersions are increasing integers).
    func upsert(_ object: T) {
        state.withLockedValue { state in
            let key = Self.key(object)
            if let existing = state.objects[key], Self.isOlder(object, than: existing) { return }
            state.objects[key] = object
        }
    }

    func remove(namespace: String?, name: String) {
        _ = state.withLockedValue { $0.objects.removeValue(forKey: Self.key(namespace: namespace, name: name)) }
    }

    static func isOlder(_ object: T, than existing: T) -> Bool {
        guard let new = object.metadata.resourceVersion.flatMap(UInt64.init),
              let old = existing.metadata.resourceVersion.flatMap(UInt64.init) else { return false }
        return new < old
    }

    /// Feeds the cache until cancelled, calling `onChange` after every change.
    func run(client: KubeClient, logger: Logger, onChange: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            let events = client.listWatch(T.self, allNamespaces: T.namespaced, watchTimeoutSeconds: 60)
            do {
                for try await event in events {
                    state.withLockedValue { state in
                        switch event {
                        case .listed(let items, _):
                            state.objects = Dictionary(items.map { (Self.key($0), $0) }, uniquingKeysWith: { $1 })
                            state.synced = true
                        case .added(let object), .modified(let object):
                            let key = Self.key(object)
                            if let existing = state.objects[key], Self.isOlder(object, than: existing) { return }
                            state.objects[key] = object
                        case .deleted(let object):
                            state.objects.removeValue(forKey: Self.key(object))
                        }
                    }
                    onChange()
                }
            } catch {
                if !Task.isCancelled { logger.error("informer for \(T.plural) stopped: \(error)") }
            }
        }
    }
}
