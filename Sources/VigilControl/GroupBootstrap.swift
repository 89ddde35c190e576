import VigilCore
import VigilEngine

/// First start of a group whose servers run but know nothing of each other: system accounts
/// on every instance (outside the binlog), replicas following the chosen primary, then the
/// primary made writable (semi-sync on only once replicas are connected). Idempotent: a
/// bootstrap interrupted half-way can run again.
public struct GroupBootstrap<Directory: InstanceDirectory>: Sendable {
    public let actions: InstanceActions<Directory>
    public let accounts: AccountRequest

    public init(actions: InstanceActions<Directory>, accounts: AccountRequest) {
        self.actions = actions
        self.accounts = accounts
    }

    /// Wires `members` around `primary`; throws with the step that failed.
    public func run(primary: String, members: [String], connectTimeout: Duration = .seconds(30)) async throws(ControlError) {
        for name in members {
            try await step("creating the system accounts on \(name)", on: name) { ops in
                try await ops.ensureSystemAccounts(accounts)
            }
        }
        let replicas = members.filter { $0 != primary }
        for name in replicas {
            guard let source = actions.directory.replicationSource(primary, for: name) else { throw ControlError("no address for \(primary)") }
            try await step("making \(name) a replica of \(primary)", on: name) { ops in
                _ = try await ops.fence(reason: "joining as a replica of \(primary)")
                if actions.settings.semiSync { try await ops.enableSemiSyncReplica() }
                try await ops.repoint(to: source, credentials: actions.settings.replication,
                                      options: RepointOptions(semiSync: actions.settings.semiSync))
            }
        }
        let deadline = ContinuousClock.now + connectTimeout
        for name in replicas {
            while true {
                let result = await actions.on(name) { _ in }
                if result.observation?.replica?.ioThread == .yes { break }
                if ContinuousClock.now > deadline {
                    throw ControlError("\(name) did not connect to the primary \(primary) within \(connectTimeout)")
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        try await step("making \(primary) the writable primary", on: primary) { ops in
            try await ops.promote(semiSyncGroupSize: actions.settings.semiSync ? actions.settings.groupSize : nil)
        }
    }

    func step(_ what: String, on name: String, _ body: (InstanceOperations) async throws -> Void) async throws(ControlError) {
        if case .failed(let why) = await actions.on(name, queryTimeout: .seconds(30), body) {
            throw ControlError("\(what): \(why)")
        }
    }
}
