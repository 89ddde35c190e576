/// Every failure of a `KubeClient` call. API errors carry the HTTP status and the server's
/// `Status` (`reason`, `message`); the description never contains credentials.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, conflict, alreadyExists, gone,
             invalid, tooManyRequests, serverError, timeout
        /// Any other HTTP status.
        case http
        /// The connection failed or broke (no HTTP status).
        case transport
        /// The response could not be decoded as the expected type.
        case decoding
        /// The request could not be built (bad name, unencodable object).
        case request
        case cancelled
    }

    public var kind: Kind
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// The API's `Status.reason` (`NotFound`, `Conflict`, `AlreadyExists`, `Expired`, …).
    public var reason: String?
    /// The API's `Status.message`, or a description of the local failure.
    public var message: String
    /// `METHOD /path` of the request (paths hold no secrets).
    public var request: String?
    /// Seconds the server asked us to wait (`Retry-After`).
    public var retryAfterSeconds: Int?

    public init(kind: Kind, httpStatus: Int? = nil, reason: String? = nil, message: String, request: String? = nil,
                retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.reason = reason
        self.message = message
        self.request = request
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The error for an API `Status` (HTTP status from `code` if `httpStatus` is not given).
    public init(status: Status, httpStatus: Int? = nil, request: String? = nil, retryAfterSeconds: Int? = nil) {
        let code = httpStatus ?? status.code ?? 0
        self.init(kind: Self.kind(httpStatus: code, reason: status.reason), httpStatus: code, reason: status.reason,
                  message: status.message ?? "HTTP \(code)", request: request,
                  retryAfterSeconds: retryAfterSeconds ?? status.details?.retryAfterSeconds)
    }

    public static func kind(httpStatus: Int, reason: String?) -> Kind {
        switch httpStatus {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 409: return reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: return .gone
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 504: return .timeout
        case 500...599: return .serverError
        default: return .http
        }
    }

    public var isNotFound: Bool { kind == .notFound }
    public var isConflict: Bool { kind == .conflict }
    public var isAlreadyExists: Bool { kind == .alreadyExists }
    public var isGone: Bool { kind == .gone }

    public var description: String {
        var text = "Kubernetes API"
        switch kind {
        case .transport: text += " unreachable"
        case .decoding: text += " response not understood"
        case .request: text += " request not built"
        case .cancelled: text += " call cancelled"
        default:
            text += ": \(reason ?? String(describing: kind))"
            if let httpStatus { text += " (HTTP \(httpStatus))" }
        }
        text += ": \(message)"
        if let request { text += " [\(request)]" }
        return text
    }
}
