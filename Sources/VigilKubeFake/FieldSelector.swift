import Foundation
import VigilKube

/// A field selector (`metadata.name=x,status.phase!=Running`). Like the real server, only
/// some fields are selectable: the metadata ones for every type plus a few per kind.
struct FieldSelector: Sendable {
    struct Term: Sendable {
        var path: [String]
        var value: String
        var equal: Bool
    }

    var terms: [Term] = []

    static let common: Set<String> = ["metadata.name", "metadata.namespace"]
    static let perKind: [String: Set<String>] = [
        "Pod": ["spec.nodeName", "status.phase", "spec.serviceAccountName", "status.podIP", "spec.restartPolicy"],
        "Event": ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                  "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                  "reason", "reportingComponent", "source", "type"],
        "Secret": ["type"],
        "Node": ["spec.unschedulable"],
        "Namespace": ["status.phase"],
    ]

    init() {}

    init(parsing text: String, kind: String) throws(FakeAPIError) {
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            let part = String(raw).trimmingCharacters(in: .whitespaces)
            let equal: Bool
            let pieces: [String]
            if part.contains("!=") {
                equal = false
                pieces = part.components(separatedBy: "!=")
            } else if part.contains("==") {
                equal = true
                pieces = part.components(separatedBy: "==")
            } else {
                equal = true
                pieces = part.components(separatedBy: "=")
            }
            guard pieces.count == 2, !pieces[0].isEmpty else {
                throw .badRequest("invalid field selector \"\(text)\": \"\(part)\" is not field=value or field!=value")
            }
            let field = pieces[0].trimmingCharacters(in: .whitespaces)
            guard Self.common.contains(field) || Self.perKind[kind, default: []].contains(field) else {
                throw .badRequest("field label not supported: \(field)")
            }
            terms.append(Term(path: field.split(separator: ".").map(String.init),
                              value: pieces[1].trimmingCharacters(in: .whitespaces), equal: equal))
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let actual: String = switch object[path: term.path] {
            case .string(let text): text
            case .bool(let flag): String(flag)
            case .number(let number): String(Int64(number))
            default: ""
            }
            return (actual == term.value) == term.equal
        }
    }
}
