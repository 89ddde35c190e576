import Foundation
import VigilEngine

/// `<dir>/credentials.json` (mode 0600): account name → {user, password}.
public struct LocalCredentials: Codable, Sendable {
    public struct Account: Codable, Sendable { public var user: String; public var password: String }
    public var accounts: [String: Account]
    /// The bearer token agents and the controller share (`<dir>/agent.token`, mode 0600).
    public var agentToken: String = ""

    static func generate() -> LocalCredentials {
        var accounts: [String: Account] = [:]
        for name in ["root", "app"] { accounts[name] = Account(user: name, password: PasswordGenerator.generate()) }
        for a in SystemAccount.allCases { accounts[a.user] = Account(user: a.user, password: PasswordGenerator.generate()) }
        return LocalCredentials(accounts: accounts, agentToken: PasswordGenerator.generate())
    }

    var accountRequest: AccountRequest {
        var passwords: [SystemAccount: String] = [:]
        for a in SystemAccount.allCases { passwords[a] = accounts[a.user]!.password }
        return AccountRequest(passwords: passwords, hosts: ["localhost", "127.0.0.1"])
    }

    func password(_ name: String) -> String { accounts[name]?.password ?? "" }

    func save(_ layout: LocalLayout) throws(LocalError) {
        do {
            let data = try JSONEncoder().encode(accounts)
            try FileWriting.atomicWrite(data, to: layout.credentialsFile, mode: 0o600)
            try FileWriting.atomicWrite(Data(agentToken.utf8), to: layout.agentTokenFile, mode: 0o600)
        } catch {
            throw .failed("cannot write \(layout.credentialsFile): \(error)")
        }
    }

    static func load(_ layout: LocalLayout) throws(LocalError) -> LocalCredentials {
        guard let data = FileManager.default.contents(atPath: layout.credentialsFile),
              let accounts = try? JSONDecoder().decode([String: Account].self, from: data),
              accounts["vigil_admin"] != nil else {
            throw .failed("\(layout.credentialsFile) is missing or corrupt; nothing was changed")
        }
        var credentials = LocalCredentials(accounts: accounts)
        if let data = FileManager.default.contents(atPath: layout.agentTokenFile),
           let token = String(data: data, encoding: .utf8), token.count >= 16 {
            credentials.agentToken = token
        } else {
            // A group made before agents existed: give it a token now.
            credentials.agentToken = PasswordGenerator.generate()
            do {
                try FileWriting.atomicWrite(Data(credentials.agentToken.utf8), to: layout.agentTokenFile, mode: 0o600)
            } catch {
                throw .failed("cannot write \(layout.agentTokenFile): \(error)")
            }
        }
        return credentials
    }
}
