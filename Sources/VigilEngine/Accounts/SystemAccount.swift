/// The accounts Vigil itself uses (see DESIGN.md, "Names"). Each gets only what its job
/// needs; privileges differ by flavor and come from the dialect.
public enum SystemAccount: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Runs failover: fence, promote, repoint, account management. Everything, with grant.
    case admin = "vigil_admin"
    /// Replicas connect to their source with it. Replication only.
    case replication = "vigil_repl"
    /// Read-only health and role probes: replica status, GTIDs, variables. Not even PROCESS,
    /// which would expose every client's query text.
    case probe = "vigil_probe"
    /// The metrics exporter: processlist, replication status, performance_schema.
    case monitor = "vigil_monitor"
    /// Physical backups and provisioning replicas (mariabackup / clone).
    case backup = "vigil_backup"

    public var user: String { rawValue }
    public var description: String { rawValue }

    /// The user names fencing never kills: Vigil's own sessions and replication.
    public static var userNames: Set<String> { Set(allCases.map(\.user)) }
}

/// Which accounts to ensure, with which passwords, for which client hosts.
public struct AccountRequest: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var passwords: [SystemAccount: String]
    /// Host parts of the accounts (`'vigil_admin'@'127.0.0.1'`, …). `localhost` matches unix
    /// socket connections, `127.0.0.1` loopback TCP, `%` any host (pods on Kubernetes).
    public var hosts: [String]

    public static let defaultHosts = ["localhost", "127.0.0.1", "%"]

    public init(passwords: [SystemAccount: String], hosts: [String] = AccountRequest.defaultHosts) {
        self.passwords = passwords
        self.hosts = hosts
    }

    /// Every system account with a fresh random password.
    public static func generated(hosts: [String] = AccountRequest.defaultHosts) -> AccountRequest {
        var passwords: [SystemAccount: String] = [:]
        for account in SystemAccount.allCases { passwords[account] = PasswordGenerator.generate() }
        return AccountRequest(passwords: passwords, hosts: hosts)
    }

    public var description: String {
        "AccountRequest(\(passwords.keys.map(\.user).sorted().joined(separator: ", ")) @ \(hosts.joined(separator: ", ")), passwords redacted)"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
