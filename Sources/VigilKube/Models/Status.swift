/// `metav1.Status`: the body of every API error (and of a watch ERROR event).
public struct Status: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    /// `"Success"` or `"Failure"`.
    public var status: String?
    public var message: String?
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone`, ….
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil,
                details: StatusDetails? = nil, code: Int? = nil) {
        self.apiVersion = "v1"
        self.kind = "Status"
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}
