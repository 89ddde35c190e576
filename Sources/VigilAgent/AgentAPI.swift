import Crypto
import Foundation
import VigilCore

/// The wire contract between agents, their peers and the controller, in one place: paths,
/// headers, authentication, signatures and the JSON bodies. The controller side uses the same
/// definitions.
///
/// - Requests to mutating endpoints carry `Authorization: Bearer <token>`; the token is shared
///   by the controller and every agent of a group. Tokens are compared in constant time. A
///   request without the right token gets 401 with an empty body and changes nothing.
/// - Replies carry `X-Vigil-Signature: <lowercase hex HMAC-SHA256(key: token, message: body)>`.
///   A reply whose signature does not verify is treated as unauthenticated (a controller word
///   in it is ignored; a peer's vouch is not counted).
/// - Controller endpoint: `POST {controller}/v1/heartbeat`, body = `AgentReport` (JSON), answer
///   200 with a signed `ControllerWord` (JSON).
/// - Agent sidecar (default port 8080): `GET /health`, `GET /status`, `GET /peer/ping` (signed
///   `PeerVouch`), `POST /v1/fence`, `POST /v1/unfence`, `POST /v1/poke` (bearer).
/// - Role probe (default port 5001): `GET /v1.0/getrole` → `RoleReply`.
/// - Exporter (default port 9187): `GET /metrics`, Prometheus text format.
public enum AgentAPI {
    // MARK: Paths

    public static let heartbeatPath = "/v1/heartbeat"
    public static let healthPath = "/health"
    public static let statusPath = "/status"
    public static let peerPingPath = "/peer/ping"
    public static let fencePath = "/v1/fence"
    public static let unfencePath = "/v1/unfence"
    public static let pokePath = "/v1/poke"
    public static let rolePath = "/v1.0/getrole"
    public static let metricsPath = "/metrics"

    // MARK: Ports

    public static let defaultRoleProbePort = 5001
    public static let defaultSidecarPort = 8080
    public static let defaultMetricsPort = 9187

    // MARK: Headers

    public static let authorizationHeader = "Authorization"
    public static let signatureHeader = "X-Vigil-Signature"
    public static let jsonContentType = "application/json"
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The `Authorization` header value for `token`.
    public static func bearer(_ token: String) -> String { "Bearer \(token)" }

    /// Whether an `Authorization` header value carries `token`. Constant time in the token's
    /// content: both sides are hashed first, so neither length nor prefix leaks through timing.
    public static func isAuthorized(authorization: String?, token: String) -> Bool {
        guard !token.isEmpty, let authorization else { return false }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            return false
        }
        let presented = authorization.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        let a = Array(SHA256.hash(data: Array(presented.utf8)))
        let b = Array(SHA256.hash(data: Array(token.utf8)))
        return constantTimeEquals(a, b)
    }

    /// Lowercase hex HMAC-SHA256 of `body` keyed with the token's bytes.
    public static func sign(body: [UInt8], token: String) -> String {
        let key = SymmetricKey(data: Array(token.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return hex(Array(mac))
    }

    /// Whether `signature` (hex, any case) is the HMAC of `body` under `token`; constant time.
    public static func verify(body: [UInt8], signature: String?, token: String) -> Bool {
        guard !token.isEmpty, let signature else { return false }
        let expected = Array(sign(body: body, token: token).utf8)
        let presented = Array(signature.trimmingCharacters(in: .whitespaces).lowercased().utf8)
        guard presented.count == expected.count else { return false }
        return constantTimeEquals(presented, expected)
    }

    /// Equal-length comparison whose time does not depend on where the bytes differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Bodies

    /// Swift's default `JSONEncoder`, as every party uses it.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }

    /// The name of a server state on the wire (`/health`, `/status`): running, notAnswering,
    /// refused, exited, unknown.
    public static func serverStateName(_ state: ServerProcessState) -> String {
        switch state {
        case .running: "running"
        case .notAnswering: "notAnswering"
        case .refused: "refused"
        case .exited: "exited"
        case .unknown: "unknown"
        }
    }

    /// Wall-clock timestamps for humans (`observedAt`): ISO 8601 with milliseconds, UTC.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// The role an instance plays, as the role probe reports it (KubeBlocks-compatible names).
public enum AgentRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Running, writable, no replication configured.
    case primary
    /// Replication configured.
    case replica
    /// Running read-only without replication, or the agent's fence is in force.
    case fenced
    /// mysqld not answering, or never observed.
    case unknown
}

/// `GET /v1.0/getrole`.
public struct RoleReply: Sendable, Hashable, Codable {
    public var role: AgentRole
    /// When the observation behind `role` was made (nil when never observed).
    public var observedAt: String?

    public init(role: AgentRole, observedAt: String?) {
        self.role = role
        self.observedAt = observedAt
    }
}

/// `GET /health`: the agent answers (so it is alive) and says whether mysqld does.
public struct HealthReply: Sendable, Hashable, Codable {
    public var agent: String
    /// `AgentAPI.serverStateName`.
    public var mysqld: String

    public init(agent: String = "ok", mysqld: String) {
        self.agent = agent
        self.mysqld = mysqld
    }
}

/// `GET /status` (and the answer to fence / unfence).
public struct StatusReply: Sendable, Hashable, Codable {
    public struct Replica: Sendable, Hashable, Codable {
        /// `host:port` of the source.
        public var source: String
        /// yes, no, connecting.
        public var ioThread: String
        public var sqlThreadRunning: Bool
        public var lastIOError: String?
        public var lastSQLError: String?

        public init(source: String, ioThread: String, sqlThreadRunning: Bool, lastIOError: String?, lastSQLError: String?) {
            self.source = source
            self.ioThread = ioThread
            self.sqlThreadRunning = sqlThreadRunning
            self.lastIOError = lastIOError
            self.lastSQLError = lastSQLError
        }
    }

    public struct Peer: Sendable, Hashable, Codable {
        /// Seconds since the peer last answered a ping with a signed vouch; nil if never.
        public var lastAnswerSecondsAgo: Double?
        /// The term and primary of its last vouch.
        public var term: UInt64?
        public var vouchesFor: String?
        /// Why the last ping failed, if it did.
        public var lastError: String?

        public init(lastAnswerSecondsAgo: Double?, term: UInt64?, vouchesFor: String?, lastError: String?) {
            self.lastAnswerSecondsAgo = lastAnswerSecondsAgo
            self.term = term
            self.vouchesFor = vouchesFor
            self.lastError = lastError
        }
    }

    public var instance: String
    public var flavor: String
    public var role: AgentRole
    public var readOnly: Bool?
    public var superReadOnly: Bool?
    public var executedGTIDs: String?
    public var replica: Replica?
    public var lagSeconds: UInt64?
    /// unfenced, fencing, fenced.
    public var fence: String
    /// `FenceReason` raw value while fencing or fenced.
    public var fenceReason: String?
    /// Seconds left on the write lease; nil when this instance holds none.
    public var leaseRemainingSeconds: Double?
    public var term: UInt64
    public var believedPrimary: String?
    public var primaryMayWrite: Bool
    public var peers: [String: Peer]
    /// Seconds since the controller last answered with an authenticated word; nil if never.
    public var controllerAnsweredSecondsAgo: Double?
    /// Why the last heartbeat renewed nothing (HTTP error, bad signature); nil when it did.
    public var controllerProblem: String?
    /// `AgentAPI.serverStateName`.
    public var server: String
    /// Wall clock of the last observation (ISO 8601), for humans.
    public var observedAt: String?

    public init(
        instance: String, flavor: String, role: AgentRole, readOnly: Bool?, superReadOnly: Bool?, executedGTIDs: String?,
        replica: Replica?, lagSeconds: UInt64?, fence: String, fenceReason: String?, leaseRemainingSeconds: Double?,
        term: UInt64, believedPrimary: String?, primaryMayWrite: Bool, peers: [String: Peer],
        controllerAnsweredSecondsAgo: Double?, controllerProblem: String?, server: String, observedAt: String?
    ) {
        self.instance = instance
        self.flavor = flavor
        self.role = role
        self.readOnly = readOnly
        self.superReadOnly = superReadOnly
        self.executedGTIDs = executedGTIDs
        self.replica = replica
        self.lagSeconds = lagSeconds
        self.fence = fence
        self.fenceReason = fenceReason
        self.leaseRemainingSeconds = leaseRemainingSeconds
        self.term = term
        self.believedPrimary = believedPrimary
        self.primaryMayWrite = primaryMayWrite
        self.peers = peers
        self.controllerAnsweredSecondsAgo = controllerAnsweredSecondsAgo
        self.controllerProblem = controllerProblem
        self.server = server
        self.observedAt = observedAt
    }
}
