import Foundation
import VigilCore
import VigilHTTP
import VigilMySQL

/// Everything `vigil agent` needs, read from a JSON file (`AgentConfig.load(path:)`). The
/// file holds secrets (the MySQL password and the bearer token), so it must not be accessible
/// by group or others. `description` redacts both; nothing else prints them.
///
/// ```json
/// {
///   "instance": "db-1", "flavor": "mariadb",
///   "mysql": {"host": "127.0.0.1", "port": 3306, "user": "vigil_admin", "password": "..."},
///   "pidFile": "/var/run/mysqld/mysqld.pid",
///   "controller": "http://127.0.0.1:7000",
///   "peers": [{"name": "db-2", "sidecar": "http://127.0.0.1:8081"}],
///   "listen": {"host": "127.0.0.1", "roleProbePort": 5001, "sidecarPort": 8080, "metricsPort": 9187},
///   "token": "...",
///   "lease": {"leaseTimeoutMs": 10000, "fenceEscalationMs": 2000, "peerVouchWindowMs": 30000,
///             "clockSkewMarginMs": 1000, "probeIntervalMs": 1000, "maxClockDriftRate": 0.001},
///   "serverProbeIntervalMs": 250
/// }
/// ```
/// `pidFile`, `peers`, `listen`, `lease` (and each of its fields) and `serverProbeIntervalMs`
/// are optional. In `lease`, `"peerVouchWindowMs": null` means peers vouch forever.
public struct AgentConfig: Codable, Sendable, CustomStringConvertible {
    /// The admin account the agent observes and fences with.
    public struct MySQL: Codable, Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        /// `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`.
        public var tls: String?

        public init(host: String = "127.0.0.1", port: Int = 3306, user: String, password: String, tls: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.tls = tls
        }

        public var description: String { "\(user)@\(host):\(port) (password: <redacted>)" }
    }

    public struct Peer: Codable, Sendable, Hashable {
        /// The peer's instance name.
        public var name: String
        /// Base URL of its sidecar, e.g. `http://10.0.0.2:8080`.
        public var sidecar: String

        public init(name: String, sidecar: String) {
            self.name = name
            self.sidecar = sidecar
        }
    }

    public struct Listen: Codable, Sendable, Hashable {
        public var host: String
        /// 0 picks a free port (see `Agent.boundPorts`).
        public var roleProbePort: Int
        public var sidecarPort: Int
        public var metricsPort: Int

        public init(host: String = "127.0.0.1", roleProbePort: Int = AgentAPI.defaultRoleProbePort,
                    sidecarPort: Int = AgentAPI.defaultSidecarPort, metricsPort: Int = AgentAPI.defaultMetricsPort) {
            self.host = host
            self.roleProbePort = roleProbePort
            self.sidecarPort = sidecarPort
            self.metricsPort = metricsPort
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
            roleProbePort = try c.decodeIfPresent(Int.self, forKey: .roleProbePort) ?? AgentAPI.defaultRoleProbePort
            sidecarPort = try c.decodeIfPresent(Int.self, forKey: .sidecarPort) ?? AgentAPI.defaultSidecarPort
            metricsPort = try c.decodeIfPresent(Int.self, forKey: .metricsPort) ?? AgentAPI.defaultMetricsPort
        }
    }

    public var instance: String
    public var flavor: Flavor
    public var mysql: MySQL
    /// mysqld's pid file: a pid that no longer exists means `.exited`; `killServer` signals it.
    public var pidFile: String?
    /// The controller's base URL, e.g. `http://127.0.0.1:7000`.
    public var controller: String
    public var peers: [Peer]
    public var listen: Listen
    /// Shared with the controller and the peers. Secret.
    public var token: String
    public var lease: LeaseContract
    /// How often mysqld is observed (default 250 ms): the floor of death detection.
    public var serverProbeIntervalMs: Int

    public init(
        instance: String, flavor: Flavor, mysql: MySQL, pidFile: String? = nil, controller: String,
        peers: [Peer] = [], listen: Listen = Listen(), token: String, lease: LeaseContract = LeaseContract(),
        serverProbeIntervalMs: Int = 250
    ) {
        self.instance = instance
        self.flavor = flavor
        self.mysql = mysql
        self.pidFile = pidFile
        self.controller = controller
        self.peers = peers
        self.listen = listen
        self.token = token
        self.lease = lease
        self.serverProbeIntervalMs = serverProbeIntervalMs
    }

    enum CodingKeys: String, CodingKey {
        case instance, flavor, mysql, pidFile, controller, peers, listen, token, lease, serverProbeIntervalMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instance = try c.decode(String.self, forKey: .instance)
        flavor = try c.decode(Flavor.self, forKey: .flavor)
        mysql = try c.decode(MySQL.self, forKey: .mysql)
        pidFile = try c.decodeIfPresent(String.self, forKey: .pidFile)
        controller = try c.decode(String.self, forKey: .controller)
        peers = try c.decodeIfPresent([Peer].self, forKey: .peers) ?? []
        listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
        token = try c.decode(String.self, forKey: .token)
        lease = try c.decodeIfPresent(LeaseSettings.self, forKey: .lease)?.contract ?? LeaseContract()
        serverProbeIntervalMs = try c.decodeIfPresent(Int.self, forKey: .serverProbeIntervalMs) ?? 250
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instance, forKey: .instance)
        try c.encode(flavor, forKey: .flavor)
        try c.encode(mysql, forKey: .mysql)
        try c.encodeIfPresent(pidFile, forKey: .pidFile)
        try c.encode(controller, forKey: .controller)
        try c.encode(peers, forKey: .peers)
        try c.encode(listen, forKey: .listen)
        try c.encode(token, forKey: .token)
        try c.encode(LeaseSettings(lease), forKey: .lease)
        try c.encode(serverProbeIntervalMs, forKey: .serverProbeIntervalMs)
    }

    public var serverProbeInterval: Duration { .milliseconds(serverProbeIntervalMs) }

    public var description: String {
        let peerText = peers.map { "\($0.name)=\($0.sidecar)" }.joined(separator: ", ")
        return "AgentConfig(instance: \(instance), flavor: \(flavor.rawValue), mysql: \(mysql), "
            + "pidFile: \(pidFile ?? "-"), controller: \(controller), peers: [\(peerText)], "
            + "listen: \(listen.host) role \(listen.roleProbePort) sidecar \(listen.sidecarPort) metrics \(listen.metricsPort), "
            + "token: <redacted>, leaseTimeout: \(lease.leaseTimeout), probeInterval: \(lease.probeInterval), "
            + "serverProbeIntervalMs: \(serverProbeIntervalMs))"
    }

    // MARK: Validation

    /// Every mistake in the configuration, each a sentence; empty when usable.
    public var problems: [String] {
        var found: [String] = []
        if instance.isEmpty { found.append("instance must not be empty") }
        if token.isEmpty { found.append("token must not be empty") }
        if mysql.user.isEmpty { found.append("mysql.user must not be empty") }
        if mysql.host.isEmpty { found.append("mysql.host must not be empty") }
        if !(1...65535).contains(mysql.port) { found.append("mysql.port \(mysql.port) is not a TCP port") }
        if let tls = mysql.tls, MySQLTLSMode(name: tls) == nil {
            found.append("mysql.tls '\(tls)' is not one of disable, prefer, require, verify-ca, verify-full")
        }
        if (try? HTTPTarget(url: controller)) == nil {
            found.append("controller '\(controller)' is not an http://host:port URL")
        }
        var names: Set<String> = [instance]
        for peer in peers {
            if peer.name.isEmpty { found.append("a peer has an empty name") }
            if !names.insert(peer.name).inserted { found.append("peer name '\(peer.name)' is used twice (or is this instance)") }
            if (try? HTTPTarget(url: peer.sidecar)) == nil {
                found.append("peer \(peer.name): sidecar '\(peer.sidecar)' is not an http://host:port URL")
            }
        }
        if listen.host.isEmpty { found.append("listen.host must not be empty") }
        for (name, port) in [("roleProbePort", listen.roleProbePort), ("sidecarPort", listen.sidecarPort),
                             ("metricsPort", listen.metricsPort)] where !(0...65535).contains(port) {
            found.append("listen.\(name) \(port) is not a TCP port")
        }
        let fixed = [listen.roleProbePort, listen.sidecarPort, listen.metricsPort].filter { $0 != 0 }
        if Set(fixed).count != fixed.count { found.append("listen ports must differ") }
        if serverProbeIntervalMs <= 0 { found.append("serverProbeIntervalMs must be positive") }
        found += lease.problems.map { "lease: \($0)" }
        return found
    }

    // MARK: Loading

    /// Reads and validates a configuration file. Refuses a file that group or others may
    /// access: it holds the MySQL password and the bearer token.
    public static func load(path: String) throws(AgentConfigError) -> AgentConfig {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { throw .missing(path: path) }
            throw .unreadable(path: path, reason: "cannot read its attributes")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw .insecurePermissions(path: path, mode: mode & 0o777)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        let config: AgentConfig
        do {
            config = try JSONDecoder().decode(AgentConfig.self, from: data)
        } catch let error as DecodingError {
            throw .invalid(path: path, problems: [Self.explain(error)])
        } catch {
            throw .invalid(path: path, problems: ["not valid JSON"])
        }
        let problems = config.problems
        if !problems.isEmpty { throw .invalid(path: path, problems: problems) }
        return config
    }

    /// A decoding error in terms of the file (key path and what was wrong), never its values.
    private static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing key '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(type), not null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context.codingPath)) has an invalid value"
        @unknown default:
            return "cannot be decoded"
        }
    }
}

/// `lease` in the file: milliseconds, every field optional (defaults from `LeaseContract`).
struct LeaseSettings: Codable {
    var leaseTimeoutMs: Int64?
    var fenceEscalationMs: Int64?
    /// Present and null: vouch forever.
    var peerVouchWindowMs: Int64??
    var clockSkewMarginMs: Int64?
    var probeIntervalMs: Int64?
    var maxClockDriftRate: Double?

    enum CodingKeys: String, CodingKey {
        case leaseTimeoutMs, fenceEscalationMs, peerVouchWindowMs, clockSkewMarginMs, probeIntervalMs, maxClockDriftRate
    }

    init(_ contract: LeaseContract) {
        leaseTimeoutMs = contract.leaseTimeout.wholeMilliseconds
        fenceEscalationMs = contract.fenceEscalation.wholeMilliseconds
        peerVouchWindowMs = .some(contract.peerVouchWindow?.wholeMilliseconds)
        clockSkewMarginMs = contract.clockSkewMargin.wholeMilliseconds
        probeIntervalMs = contract.probeInterval.wholeMilliseconds
        maxClockDriftRate = contract.maxClockDriftRate
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        leaseTimeoutMs = try c.decodeIfPresent(Int64.self, forKey: .leaseTimeoutMs)
        fenceEscalationMs = try c.decodeIfPresent(Int64.self, forKey: .fenceEscalationMs)
        if c.contains(.peerVouchWindowMs) {
            peerVouchWindowMs = .some(try c.decodeNil(forKey: .peerVouchWindowMs)
                ? nil : try c.decode(Int64.self, forKey: .peerVouchWindowMs))
        }
        clockSkewMarginMs = try c.decodeIfPresent(Int64.self, forKey: .clockSkewMarginMs)
        probeIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .probeIntervalMs)
        maxClockDriftRate = try c.decodeIfPresent(Double.self, forKey: .maxClockDriftRate)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(leaseTimeoutMs, forKey: .leaseTimeoutMs)
        try c.encodeIfPresent(fenceEscalationMs, forKey: .fenceEscalationMs)
        if let window = peerVouchWindowMs {
            if let window { try c.encode(window, forKey: .peerVouchWindowMs) } else { try c.encodeNil(forKey: .peerVouchWindowMs) }
        }
        try c.encodeIfPresent(clockSkewMarginMs, forKey: .clockSkewMarginMs)
        try c.encodeIfPresent(probeIntervalMs, forKey: .probeIntervalMs)
        try c.encodeIfPresent(maxClockDriftRate, forKey: .maxClockDriftRate)
    }

    var contract: LeaseContract {
        let defaults = LeaseContract()
        let window: Duration? =
            switch peerVouchWindowMs {
            case .none: defaults.peerVouchWindow
            case .some(let value): value.map { .milliseconds($0) }
            }
        return LeaseContract(
            leaseTimeout: leaseTimeoutMs.map { .milliseconds($0) } ?? defaults.leaseTimeout,
            fenceEscalation: fenceEscalationMs.map { .milliseconds($0) } ?? defaults.fenceEscalation,
            peerVouchWindow: window,
            clockSkewMargin: clockSkewMarginMs.map { .milliseconds($0) } ?? defaults.clockSkewMargin,
            probeInterval: probeIntervalMs.map { .milliseconds($0) } ?? defaults.probeInterval,
            maxClockDriftRate: maxClockDriftRate ?? defaults.maxClockDriftRate)
    }
}
