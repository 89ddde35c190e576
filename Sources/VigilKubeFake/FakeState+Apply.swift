import VigilKube

/// Server-side apply, simplified but honest:
/// - Ownership is a set of leaf field paths per manager (see `FieldPaths`). Lists of objects
///   with a `name` key are merged by name; other lists are owned and replaced atomically
///   (the real server also knows other list keys, e.g. `containerPort`+`protocol`, and
///   set-lists; we do not).
/// - Create and update/patch writers are recorded as Update-operation managers (named by
///   `fieldManager` or the User-Agent) owning the fields they set or changed.
/// - Applying a field another manager (name + operation) owns with a different value is a
///   conflict (409)
///   unless `force`, which moves ownership to the applier. Equal values are co-owned.
/// - Fields the applier applied last time and omits now are removed unless another
///   manager still owns them.
/// - No managedFields are written into the objects, and only JSON bodies are accepted.
extension FakeState {
    mutating func apply(_ type: FakeResourceType, namespace: String?, name: String, body: JSONValue, status: Bool,
                        manager: String?, force: Bool) throws(FakeAPIError) -> (object: JSONValue, created: Bool) {
        guard let manager, !manager.isEmpty else {
            throw FakeAPIError(code: 422, reason: "Invalid",
                               message: "PATCH \(type.plural) \"\(name)\": fieldManager is required for apply requests")
        }
        guard case .object = body else { throw .badRequest("an apply body must be a JSON object") }
        var applied = try checkedTypeMeta(type, body)
        if let given = applied[path: ["metadata", "name"]]?.stringValue, given != name {
            throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if type.hasStatusSubresource {
            if status {
                applied = ["apiVersion": applied["apiVersion"] ?? .null, "kind": applied["kind"] ?? .null,
                           "metadata": [:], "status": applied["status"] ?? [:]]
            } else {
                applied["status"] = nil
            }
        }
        let paths = FieldPaths.leaves(of: applied)
        let me = ManagerKey(name: manager, applied: true)
        let key = key(type, namespace, name)

        guard var stored = objects[key] else {
            if status { throw .notFound(type, name) }
            var fresh = applied
            fresh.set(path: ["metadata", "name"], to: .string(name))
            return (try create(type, namespace: namespace, body: fresh, manager: manager, applyManager: Set(paths)), true)
        }
        try checkResourceVersion(type, name, body, stored)
        let current = stored.object

        var conflicts: [(ManagerKey, FieldPath)] = []
        for (other, owned) in stored.managers where other != me {
            for path in paths where owned.contains(path) {
                if FieldPaths.value(at: path, in: current) != FieldPaths.value(at: path, in: applied) {
                    conflicts.append((other, path))
                }
            }
        }
        if !conflicts.isEmpty {
            if !force {
                let list = conflicts.map { "conflict with \"\($0.0.name)\"\($0.0.applied ? "" : " (update)"): "
                    + FieldPaths.render($0.1) }.sorted()
                throw FakeAPIError(code: 409, reason: "Conflict",
                                   message: "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): "
                                       + list.joined(separator: "; "))
            }
            for (other, path) in conflicts { stored.managers[other]?.remove(path) }
        }

        var result = current
        let newPaths = Set(paths)
        let ownedByOthers = stored.managers.filter { $0.key != me }.values.reduce(into: Set<FieldPath>()) {
            $0.formUnion($1)
        }
        let dropped = (stored.managers[me] ?? []).subtracting(newPaths).subtracting(ownedByOthers)
        // Deepest first, and a list item's `name` key last: it is how the item is found.
        func isItemName(_ path: FieldPath) -> Bool {
            path.count >= 2 && path.last == .key("name") && {
                if case .named = path[path.count - 2] { return true }
                return false
            }()
        }
        for path in dropped.sorted(by: { (isItemName($0) ? 1 : 0, -$0.count) < (isItemName($1) ? 1 : 0, -$1.count) }) {
            FieldPaths.remove(at: path, in: &result)
        }
        for path in paths {
            if let value = FieldPaths.value(at: path, in: applied) { FieldPaths.set(value, at: path, in: &result) }
        }
        stored.managers[me] = newPaths
        stored.managers = stored.managers.filter { !$0.value.isEmpty || $0.key == me }
        objects[key] = stored
        return (try commit(type, key, result, status: status, manager: nil), false)
    }
}
