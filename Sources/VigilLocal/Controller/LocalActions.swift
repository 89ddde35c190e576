import Logging
import VigilAgent
import VigilCore
import VigilEngine
import VigilMySQL

/// Performs the decision core's instance actions on a local group: one fresh admin session
/// per action (a drain may hold its session for seconds; probes must not queue behind it),
/// and the observation read back on the same session.
struct LocalActions: Sendable {
    let spec: LocalSpec
    let adminPassword: String
    let agentToken: String
    let replication: ReplicationCredentials
    let clock: ControllerClock
    let logger: Logger

    func port(_ name: String) -> Int? {
        spec.index(of: name).map(spec.mysqlPort)
    }

    func config(_ name: String, queryTimeout: Duration) -> MySQLConfiguration? {
        guard let port = port(name) else { return nil }
        return MySQLConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: port), user: SystemAccount.admin.user, password: adminPassword,
            tls: .disable, connectTimeout: .seconds(1), queryTimeout: .milliseconds(queryTimeout.wholeMilliseconds), programName: "vigil-controller")
    }

    /// Runs `body` on a fresh session to `name`, then reads the instance back.
    func on(_ name: String, queryTimeout: Duration = .seconds(5),
            _ body: (InstanceOperations) async throws -> Void) async -> ActionResult {
        guard let config = config(name, queryTimeout: queryTimeout) else { return .failed("no instance \(name)") }
        let connection: MySQLConnection
        do {
            connection = try await MySQLConnection.connect(config)
        } catch {
            return .failed("\(name) unreachable: \(error)")
        }
        defer { Task { await connection.close() } }
        do {
            let ops = try InstanceOperations(instance: name, connection: connection, logger: logger)
            try await body(ops)
            return .succeeded(try await ops.observe())
        } catch {
            return .failed("\(error)")
        }
    }

    var repointOptions: RepointOptions { RepointOptions(semiSync: spec.mode == .lossless) }

    /// Everything `name` holds (executed ∪ retrieved) must be in `source`'s executed set,
    /// read in that order (the source's set only grows), or nothing changes.
    func repoint(_ name: String, to source: String, checkContainment: Bool) async -> ActionResult {
        guard let sourcePort = port(source) else { return .failed("no instance \(source)") }
        return await on(name) { ops in
            try await ops.setReadOnly()
            if checkContainment {
                let mine = try await ops.observe()
                guard let executed = mine.executedGTIDs else { throw LocalError.failed("\(name): GTIDs unreadable") }
                let held = try mine.retrievedGTIDs.map { try executed.union($0) } ?? executed
                let theirs = await on(source) { _ in }
                guard let sourceExecuted = theirs.observation?.executedGTIDs else {
                    throw LocalError.failed("\(source) unreadable for the containment check")
                }
                guard sourceExecuted.contains(held) else {
                    let errant = (try? held.errant(relativeTo: sourceExecuted)).map { "\($0)" } ?? "?"
                    throw LocalError.failed("\(name) holds transactions \(source) lacks (\(errant)); not repointed")
                }
            }
            if spec.mode == .lossless {
                // A former primary keeps its source side on otherwise, and MariaDB then hangs
                // in shutdown for a minute; replicas never need it.
                try await ops.disableSemiSyncSource()
                try await ops.enableSemiSyncReplica()
            }
            try await ops.repoint(to: ReplicationSource(host: "127.0.0.1", port: sourcePort),
                                  credentials: replication, options: repointOptions)
        }
    }

    /// The instance actions; traffic, records and agent messages belong to the supervisor.
    func perform(_ kind: GroupAction.Kind) async -> ActionResult {
        switch kind {
        case .fence(let name), .quarantine(let name, _):
            // Through the agent too: it may reach mysqld when we cannot, and it learns the
            // new term at once (its answer is not needed: the read-back below decides).
            AgentCall.post(AgentAPI.fencePath, to: name, spec: spec, token: agentToken, timeout: .seconds(2))
            return await on(name) { ops in try await ops.fence(reason: "fenced by the controller") }
        case .setReadOnly(let name):
            return await on(name) { ops in try await ops.setReadOnly() }
        case .setWritable(let name):
            return await on(name) { ops in try await ops.setWritable() }
        case .stopIOThread(let name):
            return await on(name) { ops in try await ops.stopIOThread() }
        case .drainRelayLog(let name, let deadline):
            let timeout = max(.zero, deadline - clock.now())
            return await on(name, queryTimeout: timeout + .seconds(5)) { ops in
                let result = try await ops.drainRelayLog(timeout: timeout)
                if !result.drained { throw LocalError.failed("\(name) did not apply its relay log within \(timeout)") }
            }
        case .waitForGTIDs(let name, let gtids, let deadline):
            let timeout = max(.zero, deadline - clock.now())
            return await on(name, queryTimeout: timeout + .seconds(5)) { ops in
                try await ops.waitForGTIDs(gtids, timeout: timeout)
            }
        case .promote(let name):
            return await on(name) { ops in
                try await ops.promote(semiSyncGroupSize: spec.mode == .lossless ? spec.instances : nil)
            }
        case .confirmWritable(let name):
            return await on(name) { _ in }
        case .repoint(let name, let source):
            return await repoint(name, to: source, checkContainment: true)
        case .rejoinAsReplica(let name, let source, let check):
            return await repoint(name, to: source, checkContainment: check)
        case .moveTraffic, .replyToAgent, .pokeAgent, .waitUntil, .recordFailover, .recordSwitchover:
            return .failed("not an instance action")
        }
    }
}
