/// `vigil local status --json`: the contract other tools rely on (see DESIGN.md).
public struct LocalStatus: Codable, Sendable {
    public struct Router: Codable, Sendable {
        public var readWrite: String
        public var readOnly: String
        public var readWriteTarget: String?
        public var readOnlyTargets: [String]
        public var connections: [String: Int]
    }

    public struct URLs: Codable, Sendable {
        public var role: String
        public var status: String
        public var metrics: String
    }

    public struct Instance: Codable, Sendable {
        public var name: String
        public var site: String
        /// primary | replica | fenced | down
        public var role: String
        public var healthy: Bool
        public var port: Int
        public var pid: Int32?
        public var gtid: String?
        public var lagSeconds: Double?
        public var restarts: Int
        /// Set when the instance holds transactions the primary lacks: it stays read-only.
        public var quarantinedErrantGTIDs: String?
        public var urls: URLs?
    }

    public struct Controller: Codable, Sendable {
        public struct URLs: Codable, Sendable {
            public var metrics: String
            public var healthz: String
            public var status: String
            public var dashboard: String
            /// Optional so status files from before they existed still decode.
            public var readyz: String?
            /// The status WebSocket (`ws://…/ws/status`).
            public var statusWebSocket: String?
        }
        public var pid: Int32
        public var urls: URLs
        /// The decision core's named state (healthy, suspect, failingOver, confirming, degraded,
        /// blocked, switchingOver), its term, the primary its word names and why.
        public var state: String?
        public var term: UInt64?
        public var designatedPrimary: String?
        public var reason: String?
        public var operation: String?
    }

    public var group: String
    public var phase: String
    public var mode: String
    public var primary: String?
    public var router: Router
    public var instances: [Instance]
    public var controller: Controller
    public var lastFailover: FailoverSummary?
    public var cooldownUntil: String?
    public var updatedAt: String
}
