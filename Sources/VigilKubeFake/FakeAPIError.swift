import VigilKube

/// An API error as the real server reports it: an HTTP status plus a `Status` body.
struct FakeAPIError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var details: StatusDetails?

    var status: Status {
        Status(message: message, reason: reason, details: details, code: code)
    }

    static func notFound(_ type: FakeResourceType, _ name: String) -> FakeAPIError {
        FakeAPIError(code: 404, reason: "NotFound", message: "\(type.plural) \"\(name)\" not found",
                     details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func alreadyExists(_ type: FakeResourceType, _ name: String) -> FakeAPIError {
        FakeAPIError(code: 409, reason: "AlreadyExists", message: "\(type.plural) \"\(name)\" already exists",
                     details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func conflict(_ type: FakeResourceType, _ name: String, _ why: String) -> FakeAPIError {
        FakeAPIError(code: 409, reason: "Conflict",
                     message: "Operation cannot be fulfilled on \(type.plural) \"\(name)\": \(why)",
                     details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func stale(_ type: FakeResourceType, _ name: String) -> FakeAPIError {
        conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    static func badRequest(_ message: String) -> FakeAPIError {
        FakeAPIError(code: 400, reason: "BadRequest", message: message)
    }

    static func invalid(_ type: FakeResourceType, _ name: String, _ message: String) -> FakeAPIError {
        FakeAPIError(code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(message)",
                     details: StatusDetails(name: name, group: type.group, kind: type.kind))
    }

    static func gone(_ message: String) -> FakeAPIError {
        FakeAPIError(code: 410, reason: "Expired", message: message)
    }
}
