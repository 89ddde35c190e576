import Foundation
import VigilEngine
import VigilKube

/// Every generated password of a cluster and the agents' shared token. Generated once into
/// the Secrets `{cluster}-account-{name}` and `{cluster}-agent`, then only ever read back.
public struct ClusterSecrets: Sendable, Hashable {
    public var passwords: [String: String]
    public var agentToken: String

    /// The accounts with a Secret each: the system accounts and the application's.
    public static let accounts = SystemAccount.allCases.map(\.user) + ["root", "app"].filter { name in
        !SystemAccount.allCases.contains { $0.user == name }
    }

    public static func generate() -> ClusterSecrets {
        var passwords: [String: String] = [:]
        for name in accounts { passwords[name] = PasswordGenerator.generate() }
        return ClusterSecrets(passwords: passwords, agentToken: PasswordGenerator.generate(length: 48))
    }

    public func password(_ account: String) -> String { passwords[account] ?? "" }

    public var accountRequest: AccountRequest {
        var byAccount: [SystemAccount: String] = [:]
        for account in SystemAccount.allCases { byAccount[account] = password(account.user) }
        return AccountRequest(passwords: byAccount, hosts: ["localhost", "127.0.0.1", "%"])
    }

    /// Reads an account Secret's password (`data.password`), if the Secret is complete.
    public static func password(in secret: Secret) -> String? {
        if let data = secret.data?["password"], let text = String(data: data, encoding: .utf8), !text.isEmpty { return text }
        if let text = secret.stringData?["password"], !text.isEmpty { return text }
        return nil
    }
}
