/// Where a replica should replicate from.
public struct ReplicationSource: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// The replication account's credentials. `description` never shows the password.
public struct ReplicationCredentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "\(user) (password redacted)" }
    public var customMirror: Mirror { Mirror(self, children: ["user": user]) }
}

/// Timing of a replica's connection to its source. Defaults make a replica notice a dead
/// source within seconds: a heartbeat every second, the connection dropped after a few
/// silent seconds, and a reconnect attempt every second after that.
public struct RepointOptions: Sendable, Hashable {
    public static let defaultNetTimeoutSeconds = 4

    /// Seconds between reconnect attempts.
    public var connectRetrySeconds: Int
    /// MySQL only (`SOURCE_RETRY_COUNT`); MariaDB reads `master_retry_count` at startup.
    /// Large, so a replica keeps trying until Vigil repoints it.
    public var retryCount: Int
    /// `replica_net_timeout` / `slave_net_timeout`, global.
    public var netTimeoutSeconds: Int
    /// Must be below the net timeout, or the source's silence looks like death.
    public var heartbeatPeriodSeconds: Double
    /// MySQL only: `SOURCE_SSL=1` (the source must have TLS configured).
    public var requireTLS: Bool
    /// Turn the replica side of semi-sync on before the replication threads start.
    public var semiSync: Bool

    public init(
        connectRetrySeconds: Int = 1,
        retryCount: Int = 86_400,
        netTimeoutSeconds: Int = RepointOptions.defaultNetTimeoutSeconds,
        heartbeatPeriodSeconds: Double = 1,
        requireTLS: Bool = false,
        semiSync: Bool = false
    ) {
        self.connectRetrySeconds = connectRetrySeconds
        self.retryCount = retryCount
        self.netTimeoutSeconds = netTimeoutSeconds
        self.heartbeatPeriodSeconds = heartbeatPeriodSeconds
        self.requireTLS = requireTLS
        self.semiSync = semiSync
    }

    /// The heartbeat as SQL text (`1`, `0.5`): the servers take a decimal with ms resolution.
    var heartbeatText: String {
        let ms = Int((heartbeatPeriodSeconds * 1000).rounded())
        if ms % 1000 == 0 { return String(ms / 1000) }
        var fraction = String(ms % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(ms / 1000).\(fraction)"
    }

    func validate() -> String? {
        if connectRetrySeconds < 1 { return "connect retry must be at least 1 s" }
        if retryCount < 1 { return "retry count must be at least 1" }
        if netTimeoutSeconds < 1 { return "net timeout must be at least 1 s" }
        if heartbeatPeriodSeconds < 0.001 || heartbeatPeriodSeconds >= Double(netTimeoutSeconds) {
            return "heartbeat period must be at least 1 ms and below the net timeout (\(netTimeoutSeconds) s)"
        }
        return nil
    }
}
