import Foundation
import VigilKube

extension FakeState {
    /// POST: names (or generates a name), stamps uid / creationTimestamp / generation /
    /// resourceVersion and stores. Status is dropped for types with a status subresource.
    mutating func create(_ type: FakeResourceType, namespace: String?, body: JSONValue, manager: String,
                         applyManager: Set<FieldPath>? = nil) throws(FakeAPIError) -> JSONValue {
        guard case .object = body else { throw .badRequest("the request body is not a JSON object") }
        var object = try checkedTypeMeta(type, body)
        var metadata = object["metadata"]?.objectValue ?? [:]
        if type.namespaced {
            guard let namespace, !namespace.isEmpty else { throw .badRequest("a namespace is required") }
            if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata.removeValue(forKey: "namespace")
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty {
            guard let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty else {
                throw .invalid(type, "", "metadata.name: Required value: name or generateName is required")
            }
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            repeat {
                name = prefix + String((0..<5).map { _ in alphabet.randomElement()! })
            } while objects[key(type, namespace, name)] != nil
        }
        try validateName(type, name)
        let key = key(type, namespace, name)
        guard objects[key] == nil else { throw .alreadyExists(type, name) }
        metadata["name"] = .string(name)
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = Self.timestamp(clock())
        metadata["generation"] = 1
        metadata["resourceVersion"] = .string(String(nextRevision()))
        for server in ["deletionTimestamp", "managedFields", "selfLink"] { metadata.removeValue(forKey: server) }
        object["metadata"] = .object(metadata)
        if type.hasStatusSubresource { object["status"] = nil }
        var stored = StoredObject(object: object)
        if let applyManager {
            stored.managers[ManagerKey(name: manager, applied: true)] = applyManager
        } else {
            stored.managers[ManagerKey(name: manager, applied: false)] = Set(FieldPaths.leaves(of: object))
        }
        objects[key] = stored
        record(.added, key, object, previous: nil)
        // The garbage collector deletes a dependent whose owners are all gone, also one created
        // after they went (a controller acting on a stale cache of its deleted owner); done at
        // once, like the rest of this fake's collection.
        let owners = (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
        if !owners.isEmpty, !owners.contains(where: exists(uid:)) {
            _ = remove(key, propagation: .background)
        }
        return object
    }

    /// Whether any stored object has this uid.
    func exists(uid: String) -> Bool {
        objects.values.contains { $0.object[path: ["metadata", "uid"]]?.stringValue == uid }
    }

    /// PUT (main or `/status`). A resourceVersion in the body makes it conditional (409 when
    /// stale); without one it is unconditional.
    mutating func update(_ type: FakeResourceType, namespace: String?, name: String, body: JSONValue,
                         status: Bool, manager: String) throws(FakeAPIError) -> JSONValue {
        guard case .object = body else { throw .badRequest("the request body is not a JSON object") }
        let candidate = try checkedTypeMeta(type, body)
        if let given = candidate[path: ["metadata", "name"]]?.stringValue, given != name {
            throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        let key = key(type, namespace, name)
        guard let stored = objects[key] else { throw .notFound(type, name) }
        try checkResourceVersion(type, name, candidate, stored)
        return try commit(type, key, candidate, status: status, manager: ManagerKey(name: manager, applied: false))
    }

    /// RFC 7386 merge patch, then the same rules as an update.
    mutating func mergePatch(_ type: FakeResourceType, namespace: String?, name: String, patch: JSONValue,
                             status: Bool, manager: String) throws(FakeAPIError) -> JSONValue {
        guard case .object = patch else { throw .badRequest("a merge patch must be a JSON object") }
        let key = key(type, namespace, name)
        guard let stored = objects[key] else { throw .notFound(type, name) }
        try checkResourceVersion(type, name, patch, stored)
        let candidate = stored.object.mergePatched(with: patch)
        if candidate[path: ["metadata", "name"]]?.stringValue != name {
            throw .badRequest("metadata.name cannot be changed by a patch")
        }
        return try commit(type, key, candidate, status: status, manager: ManagerKey(name: manager, applied: false))
    }

    func checkResourceVersion(_ type: FakeResourceType, _ name: String, _ body: JSONValue,
                              _ stored: StoredObject) throws(FakeAPIError) {
        guard let given = body[path: ["metadata", "resourceVersion"]]?.stringValue, !given.isEmpty else { return }
        if given != stored.object[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw .stale(type, name)
        }
    }

    /// Stores a new version of an existing object: applies the status-subresource rules, keeps
    /// server-owned metadata, bumps generation on spec changes, skips no-op writes (no new
    /// resourceVersion, no event, as the real server does) and completes a pending deletion
    /// when the last finalizer is gone.
    mutating func commit(_ type: FakeResourceType, _ key: ObjectKey, _ candidate: JSONValue, status: Bool,
                         manager: ManagerKey?) throws(FakeAPIError) -> JSONValue {
        guard var stored = objects[key] else { throw .notFound(type, key.name) }
        let old = stored.object
        var result: JSONValue
        if status {
            result = old
            result["status"] = candidate["status"]
        } else {
            result = candidate
            if type.hasStatusSubresource { result["status"] = old["status"] }
        }
        var metadata = result["metadata"]?.objectValue ?? [:]
        let oldMetadata = old["metadata"]?.objectValue ?? [:]
        for preserved in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation",
                          "resourceVersion"] {
            metadata[preserved] = oldMetadata[preserved]
        }
        metadata.removeValue(forKey: "managedFields")
        if oldMetadata["deletionTimestamp"] != nil {
            let before = Set((oldMetadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
            let after = (metadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            if let added = after.first(where: { !before.contains($0) }) {
                throw .invalid(type, key.name, "metadata.finalizers: Forbidden: no new finalizers can be added "
                               + "if the object is being deleted, found new finalizers [\"\(added)\"]")
            }
        }
        result["metadata"] = .object(metadata.filter { !$0.value.isNull })
        result["apiVersion"] = .string(type.apiVersion)
        result["kind"] = .string(type.kind)
        if result == old { return old }

        if Self.specContent(result) != Self.specContent(old) {
            let generation = Int64(oldMetadata["generation"]?.numberValue ?? 1)
            result.set(path: ["metadata", "generation"], to: .number(Double(generation + 1)))
        }
        result.set(path: ["metadata", "resourceVersion"], to: .string(String(nextRevision())))
        if let manager { Self.transferOwnership(&stored, from: old, to: result, manager: manager) }
        stored.object = result
        objects[key] = stored
        let finalizers = result[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if result[path: ["metadata", "deletionTimestamp"]] != nil, finalizers.isEmpty {
            // The last finalizer is gone: the object disappears in the same write (watchers
            // see only DELETED, as from etcd's transaction).
            return remove(key, propagation: stored.pendingPropagation ?? .background)
        }
        record(.modified, key, result, previous: old)
        sweepForegroundDeletions()
        return result
    }

    /// An Update-operation manager takes ownership of the fields it changed.
    static func transferOwnership(_ stored: inout StoredObject, from old: JSONValue, to new: JSONValue,
                                  manager: ManagerKey) {
        let newLeaves = FieldPaths.leaves(of: new)
        let oldLeaves = Set(FieldPaths.leaves(of: old))
        let newSet = Set(newLeaves)
        let changed = newLeaves.filter {
            !oldLeaves.contains($0) || FieldPaths.value(at: $0, in: old) != FieldPaths.value(at: $0, in: new)
        }
        for (other, var paths) in stored.managers {
            paths.subtract(changed)
            paths.formIntersection(newSet)
            stored.managers[other] = paths.isEmpty ? nil : paths
        }
        if !changed.isEmpty { stored.managers[manager, default: []].formUnion(changed) }
    }

    // MARK: Delete, finalizers, garbage collection

    /// DELETE: with finalizers (or foreground propagation) the object only gets a
    /// deletionTimestamp; otherwise it goes now and its dependents are collected.
    mutating func delete(_ type: FakeResourceType, namespace: String?, name: String,
                         propagation requested: PropagationPolicy?, preconditionUID: String?,
                         preconditionResourceVersion: String?) throws(FakeAPIError) -> JSONValue {
        let key = key(type, namespace, name)
        guard var stored = objects[key] else { throw .notFound(type, name) }
        let metadata = stored.object["metadata"] ?? [:]
        if let uid = preconditionUID, uid != metadata["uid"]?.stringValue {
            throw .conflict(type, name, "Precondition failed: UID in precondition: \(uid), "
                            + "UID in object meta: \(metadata["uid"]?.stringValue ?? "")")
        }
        if let version = preconditionResourceVersion, version != metadata["resourceVersion"]?.stringValue {
            throw .conflict(type, name, "Precondition failed: ResourceVersion in precondition: \(version), "
                            + "ResourceVersion in object meta: \(metadata["resourceVersion"]?.stringValue ?? "")")
        }
        let propagation = requested ?? .background
        var finalizers = (metadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if propagation == .foreground, !finalizers.contains("foregroundDeletion"), hasDependents(metadata) {
            finalizers.append("foregroundDeletion")
        }
        guard !finalizers.isEmpty else { return remove(key, propagation: propagation) }

        if metadata["deletionTimestamp"] == nil || finalizers.count != (metadata["finalizers"]?.arrayValue?.count ?? 0) {
            let old = stored.object
            stored.object.set(path: ["metadata", "deletionTimestamp"],
                              to: metadata["deletionTimestamp"] ?? Self.timestamp(clock()))
            stored.object.set(path: ["metadata", "finalizers"], to: .array(finalizers.map { .string($0) }))
            stored.object.set(path: ["metadata", "resourceVersion"], to: .string(String(nextRevision())))
            stored.pendingPropagation = propagation
            objects[key] = stored
            record(.modified, key, stored.object, previous: old)
        }
        if propagation == .foreground, let uid = metadata["uid"]?.stringValue {
            deleteDependents(of: uid, propagation: .background)
            sweepForegroundDeletions()
        }
        return objects[key]?.object ?? stored.object
    }

    /// Removes an object for good (DELETED with a new resourceVersion) and collects dependents.
    mutating func remove(_ key: ObjectKey, propagation: PropagationPolicy) -> JSONValue {
        guard let stored = objects.removeValue(forKey: key) else { return .null }
        var object = stored.object
        object.set(path: ["metadata", "resourceVersion"], to: .string(String(nextRevision())))
        record(.deleted, key, object, previous: stored.object)
        if let uid = object[path: ["metadata", "uid"]]?.stringValue {
            if propagation == .orphan {
                orphanDependents(of: uid)
            } else {
                deleteDependents(of: uid, propagation: .background)
            }
        }
        sweepForegroundDeletions()
        return object
    }

    func hasDependents(_ metadata: JSONValue) -> Bool {
        guard let uid = metadata["uid"]?.stringValue else { return false }
        return !dependents(of: uid).isEmpty
    }

    func dependents(of uid: String) -> [ObjectKey] {
        objects.compactMap { key, stored in
            let owners = stored.object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            return owners.contains { $0["uid"]?.stringValue == uid } ? key : nil
        }.sorted()
    }

    /// The garbage collector's background cascade (done at once rather than eventually).
    mutating func deleteDependents(of uid: String, propagation: PropagationPolicy) {
        for key in dependents(of: uid) {
            guard let stored = objects[key], let type = types.values.first(where: { $0.key == key.type }) else {
                continue
            }
            if stored.object[path: ["metadata", "deletionTimestamp"]] != nil { continue }
            _ = try? delete(type, namespace: key.namespace, name: key.name, propagation: propagation,
                            preconditionUID: nil, preconditionResourceVersion: nil)
        }
    }

    /// Orphan propagation: dependents stay, minus their reference to the deleted owner.
    mutating func orphanDependents(of uid: String) {
        for key in dependents(of: uid) {
            guard var stored = objects[key] else { continue }
            let old = stored.object
            let owners = (old[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).filter {
                $0["uid"]?.stringValue != uid
            }
            stored.object.set(path: ["metadata", "ownerReferences"], to: owners.isEmpty ? nil : .array(owners))
            stored.object.set(path: ["metadata", "resourceVersion"], to: .string(String(nextRevision())))
            objects[key] = stored
            record(.modified, key, stored.object, previous: old)
        }
    }

    /// Owners deleted in the foreground lose their `foregroundDeletion` finalizer (and so go
    /// away, unless other finalizers remain) once no dependents are left.
    mutating func sweepForegroundDeletions() {
        var progress = true
        while progress {
            progress = false
            for (key, stored) in objects.sorted(by: { $0.key < $1.key }) {
                let finalizers = (stored.object[path: ["metadata", "finalizers"]]?.arrayValue ?? [])
                    .compactMap(\.stringValue)
                guard finalizers.contains("foregroundDeletion"),
                      let uid = stored.object[path: ["metadata", "uid"]]?.stringValue,
                      dependents(of: uid).isEmpty,
                      let type = types.values.first(where: { $0.key == key.type }) else { continue }
                var candidate = stored.object
                let rest = finalizers.filter { $0 != "foregroundDeletion" }
                candidate.set(path: ["metadata", "finalizers"], to: rest.isEmpty ? nil : .array(rest.map { .string($0) }))
                _ = try? commit(type, key, candidate, status: false, manager: nil)
                progress = true
                break
            }
        }
    }

    // MARK: Validation

    func checkedTypeMeta(_ type: FakeResourceType, _ body: JSONValue) throws(FakeAPIError) -> JSONValue {
        var object = body
        if let kind = body["kind"]?.stringValue, kind != type.kind {
            throw .badRequest("the body's kind \(kind) does not match the URL's \(type.kind)")
        }
        if let apiVersion = body["apiVersion"]?.stringValue, apiVersion != type.apiVersion {
            throw .badRequest("the body's apiVersion \(apiVersion) does not match the URL's \(type.apiVersion)")
        }
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        if object["metadata"] == nil { object["metadata"] = .object([:]) }
        return object
    }

    func validateName(_ type: FakeResourceType, _ name: String) throws(FakeAPIError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        guard name.count <= 253, name.allSatisfy(allowed.contains), let first = name.first, let last = name.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            throw .invalid(type, name, "metadata.name: Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain "
                           + "must consist of lower case alphanumeric characters, '-' or '.', and must start and "
                           + "end with an alphanumeric character")
        }
    }
}
