import Foundation
import NIOHTTP1

extension KubeClient {
    /// The namespace segment for a call: none for cluster-scoped types.
    func scope<T: KubeResource>(_ type: T.Type, _ namespace: String?, _ object: T? = nil) -> String? {
        guard T.namespaced else { return nil }
        return namespace ?? object?.metadata.namespace ?? defaultNamespace
    }

    func body<T: KubeResource>(_ object: T, label: String) throws(KubeError) -> Data {
        do {
            return try KubeCodec.encode(resource: object)
        } catch {
            throw KubeError(kind: .request, message: "cannot encode \(T.kind): \(error)", request: label)
        }
    }

    func named<T: KubeResource>(_ object: T, verb: String) throws(KubeError) -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeError(kind: .request, message: "\(verb) needs metadata.name on the \(T.kind)")
        }
        return name
    }

    /// Reads one object; throws `.notFound` if it does not exist.
    public func get<T: KubeResource>(_ type: T.Type, name: String,
                                     namespace: String? = nil) async throws(KubeError) -> T {
        let path = T.objectPath(name: name, namespace: scope(T.self, namespace))
        return try decode(T.self, try await send(.GET, path), label: "GET \(path)")
    }

    /// Reads one object, or `nil` if it does not exist.
    public func getIfPresent<T: KubeResource>(_ type: T.Type, name: String,
                                              namespace: String? = nil) async throws(KubeError) -> T? {
        do {
            return try await get(type, name: name, namespace: namespace)
        } catch where error.isNotFound {
            return nil
        }
    }

    /// Lists one page. `allNamespaces` lists a namespaced type across the cluster.
    public func list<T: KubeResource>(_ type: T.Type, namespace: String? = nil, allNamespaces: Bool = false,
                                      options: ListOptions = ListOptions()) async throws(KubeError) -> KubeList<T> {
        let path = T.collectionPath(namespace: allNamespaces ? nil : scope(T.self, namespace))
        return try decode(KubeList<T>.self, try await send(.GET, path, query: options.query), label: "GET \(path)")
    }

    /// Lists everything, following `continue` tokens page by page; the result's
    /// `metadata.resourceVersion` is the snapshot's (start a watch from it).
    public func listAll<T: KubeResource>(_ type: T.Type, namespace: String? = nil, allNamespaces: Bool = false,
                                         labelSelector: String? = nil, fieldSelector: String? = nil,
                                         pageSize: Int = 500) async throws(KubeError) -> KubeList<T> {
        var options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize)
        var result = KubeList<T>()
        while true {
            let page = try await list(type, namespace: namespace, allNamespaces: allNamespaces, options: options)
            result.items += page.items
            if result.metadata.resourceVersion == nil { result.metadata.resourceVersion = page.metadata.resourceVersion }
            guard let token = page.metadata.continueToken, !token.isEmpty else { return result }
            options.continueToken = token
        }
    }

    /// Creates an object (name or `generateName` in its metadata); throws `.alreadyExists`.
    public func create<T: KubeResource>(_ object: T, namespace: String? = nil) async throws(KubeError) -> T {
        let path = T.collectionPath(namespace: scope(T.self, namespace, object))
        let label = "POST \(path)"
        let reply = try await send(.POST, path, body: try body(object, label: label), idempotency: .notIdempotent)
        return try decode(T.self, reply, label: label)
    }

    /// Replaces an object. With `metadata.resourceVersion` set the write is conditional and a
    /// concurrent change makes it throw `.conflict` (re-read and retry); without it, it is
    /// unconditional. Status changes are ignored for types with a status subresource.
    public func update<T: KubeResource>(_ object: T, namespace: String? = nil) async throws(KubeError) -> T {
        try await put(object, namespace: namespace, subresource: .main)
    }

    /// Replaces an object's status (the `/status` subresource); other changes are ignored.
    public func updateStatus<T: KubeResource>(_ object: T, namespace: String? = nil) async throws(KubeError) -> T {
        try await put(object, namespace: namespace, subresource: .status)
    }

    private func put<T: KubeResource>(_ object: T, namespace: String?,
                                      subresource: KubeSubresource) async throws(KubeError) -> T {
        let name = try named(object, verb: "update")
        let path = T.objectPath(name: name, namespace: scope(T.self, namespace, object), subresource: subresource)
        let label = "PUT \(path)"
        let reply = try await send(.PUT, path, body: try body(object, label: label))
        return try decode(T.self, reply, label: label)
    }

    /// RFC 7386 merge patch: objects merge, `null` deletes a field, lists are replaced whole.
    public func mergePatch<T: KubeResource>(_ type: T.Type, name: String, namespace: String? = nil,
                                            patch: JSONValue,
                                            subresource: KubeSubresource = .main) async throws(KubeError) -> T {
        let path = T.objectPath(name: name, namespace: scope(T.self, namespace), subresource: subresource)
        let label = "PATCH \(path)"
        let data: Data
        do {
            data = try KubeCodec.encode(patch)
        } catch {
            throw KubeError(kind: .request, message: "cannot encode the patch: \(error)", request: label)
        }
        let reply = try await send(.PATCH, path, body: data, contentType: "application/merge-patch+json")
        return try decode(T.self, reply, label: label)
    }

    /// Server-side apply: sends the fields this manager owns (the object's non-nil fields);
    /// the server creates the object if absent, removes fields this manager applied before
    /// and no longer sends, and throws `.conflict` if another manager owns a field with a
    /// different value, unless `force`.
    public func apply<T: KubeResource>(_ object: T, namespace: String? = nil, fieldManager: String? = nil,
                                       force: Bool = false,
                                       subresource: KubeSubresource = .main) async throws(KubeError) -> T {
        let name = try named(object, verb: "apply")
        let path = T.objectPath(name: name, namespace: scope(T.self, namespace, object), subresource: subresource)
        let label = "PATCH \(path)"
        var query = [("fieldManager", fieldManager ?? self.fieldManager)]
        if force { query.append(("force", "true")) }
        // JSON is YAML, and the server accepts it under the apply content type.
        let reply = try await send(.PATCH, path, query: query, body: try body(object, label: label),
                                   contentType: "application/apply-patch+yaml")
        return try decode(T.self, reply, label: label)
    }

    /// Deletes an object; returns `false` if it did not exist. With finalizers the object
    /// lingers (with `deletionTimestamp`) until they are removed.
    @discardableResult
    public func delete<T: KubeResource>(_ type: T.Type, name: String, namespace: String? = nil,
                                        propagationPolicy: PropagationPolicy? = nil,
                                        preconditionResourceVersion: String? = nil) async throws(KubeError) -> Bool {
        let path = T.objectPath(name: name, namespace: scope(T.self, namespace))
        var options: [String: JSONValue] = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let preconditionResourceVersion {
            options["preconditions"] = ["resourceVersion": .string(preconditionResourceVersion)]
        }
        do {
            _ = try await send(.DELETE, path, body: try? KubeCodec.encode(JSONValue.object(options)))
            return true
        } catch where error.isNotFound {
            return false
        }
    }
}
