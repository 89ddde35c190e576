import VigilKube

/// A path to a leaf of an object, as server-side apply tracks ownership: object keys, and for
/// lists of objects keyed by `name` (containers, ports, env, volumes) the item's name. Other
/// lists, scalars and empty objects are leaves (owned atomically).
enum FieldPathElement: Hashable, Sendable, CustomStringConvertible {
    case key(String)
    case named(String)

    var description: String {
        switch self {
        case .key(let key): ".\(key)"
        case .named(let name): "[name=\(name)]"
        }
    }
}

typealias FieldPath = [FieldPathElement]

enum FieldPaths {
    /// Metadata a manager never owns: identity and server-maintained fields.
    static let unownedMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "managedFields", "selfLink", "generateName",
    ]

    static func render(_ path: FieldPath) -> String {
        path.map(\.description).joined()
    }

    /// Every leaf path of an object in document order (keys sorted), without top-level
    /// `apiVersion`/`kind` and identity metadata.
    static func leaves(of object: JSONValue) -> [FieldPath] {
        var result: [FieldPath] = []
        guard case .object(let members) = object else { return result }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) where key != "apiVersion" && key != "kind" {
            if key == "metadata", case .object(let metadata) = value {
                for (field, inner) in metadata.sorted(by: { $0.key < $1.key }) where !unownedMetadata.contains(field) {
                    collect(inner, [.key("metadata"), .key(field)], into: &result)
                }
            } else {
                collect(value, [.key(key)], into: &result)
            }
        }
        return result
    }

    private static func collect(_ value: JSONValue, _ path: FieldPath, into result: inout [FieldPath]) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, inner) in members.sorted(by: { $0.key < $1.key }) {
                collect(inner, path + [.key(key)], into: &result)
            }
        case .array(let items) where isNamedList(items):
            for item in items {
                guard case .object(let members) = item, let name = members["name"]?.stringValue else { continue }
                // `name` first, so a new list item is created by its key before its other fields.
                collect(.string(name), path + [.named(name), .key("name")], into: &result)
                for (key, inner) in members.sorted(by: { $0.key < $1.key }) where key != "name" {
                    collect(inner, path + [.named(name), .key(key)], into: &result)
                }
            }
        default:
            result.append(path)
        }
    }

    /// A non-empty list whose items are all objects with a string `name`.
    static func isNamedList(_ items: [JSONValue]) -> Bool {
        !items.isEmpty && items.allSatisfy { $0["name"]?.stringValue != nil }
    }

    static func value(at path: FieldPath, in object: JSONValue) -> JSONValue? {
        var current = object
        for element in path {
            switch element {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .named(let name):
                guard let next = current.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else {
                    return nil
                }
                current = next
            }
        }
        return current
    }

    /// Sets a leaf, creating objects and named list items on the way.
    static func set(_ value: JSONValue, at path: FieldPath, in object: inout JSONValue) {
        guard let first = path.first else {
            object = value
            return
        }
        let rest = Array(path.dropFirst())
        switch first {
        case .key(let key):
            var members = object.objectValue ?? [:]
            var child = members[key] ?? .object([:])
            if rest.isEmpty { child = value } else { set(value, at: rest, in: &child) }
            members[key] = child
            object = .object(members)
        case .named(let name):
            var items = object.arrayValue ?? []
            if let index = items.firstIndex(where: { $0["name"]?.stringValue == name }) {
                set(value, at: rest, in: &items[index])
            } else {
                var item: JSONValue = ["name": .string(name)]
                set(value, at: rest, in: &item)
                items.append(item)
            }
            object = .array(items)
        }
    }

    /// Removes a leaf; objects and named items left empty (or holding only `name`) go too.
    static func remove(at path: FieldPath, in object: inout JSONValue) {
        guard let first = path.first else { return }
        let rest = Array(path.dropFirst())
        switch first {
        case .key(let key):
            guard var members = object.objectValue, var child = members[key] else { return }
            if rest.isEmpty {
                members.removeValue(forKey: key)
            } else {
                remove(at: rest, in: &child)
                if let inner = child.objectValue, inner.isEmpty, case .object = members[key] {
                    members.removeValue(forKey: key)
                } else if let items = child.arrayValue, items.isEmpty {
                    members.removeValue(forKey: key)
                } else {
                    members[key] = child
                }
            }
            object = .object(members)
        case .named(let name):
            guard var items = object.arrayValue,
                  let index = items.firstIndex(where: { $0["name"]?.stringValue == name }) else { return }
            remove(at: rest, in: &items[index])
            if items[index].objectValue?.isEmpty ?? true { items.remove(at: index) }
            object = .array(items)
        }
    }
}
