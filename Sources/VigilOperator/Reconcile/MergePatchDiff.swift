import VigilKube

/// The RFC 7386 merge patch that turns `old` into `new`: fields gone from `new` become
/// `null` (a plain patch of `new` would leave them behind), nested objects recurse, and
/// everything else is replaced when it differs. nil when nothing changed. (Key presence is
/// tested with `keys.contains`: JSONValue is ExpressibleByNilLiteral, so `== nil` misleads.)
enum MergePatchDiff {
    static func diff(from old: JSONValue?, to new: JSONValue) -> JSONValue? {
        guard case .object(let newFields)? = Optional(new), case .object(let oldFields)? = old else {
            // `.none`, not `nil`: next to a JSONValue a nil literal becomes `.null`.
            if old == new { return .none }
            return .some(new)
        }
        var patch: [String: JSONValue] = [:]
        for (key, value) in newFields {
            if let change = diff(from: oldFields[key], to: value) { patch[key] = change }
        }
        for key in oldFields.keys where !newFields.keys.contains(key) { patch[key] = .null }
        if patch.isEmpty { return .none }
        return .some(.object(patch))
    }
}
