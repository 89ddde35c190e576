import Logging
import VigilAgent
import VigilCore
import VigilEngine
import VigilMySQL

/// Performs the decision core's instance actions, on any platform: one fresh admin session
/// per action (a drain may hold its session for seconds; probes must not queue behind it),
/// and the observation read back on the same session.
public struct InstanceActions<Directory: InstanceDirectory>: Sendable {
    public let directory: Directory
    public let settings: ActionSettings
    public let clock: ControllerClock
    public let logger: Logger

    public init(directory: Directory, settings: ActionSettings, clock: ControllerClock, logger: Logger) {
        self.directory = directory
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    public func config(_ name: String, queryTimeout: Duration) -> MySQLConfiguration? {
        guard let (host, port) = directory.mysqlEndpoint(name) else { return nil }
        return MySQLConfiguration(
            endpoint: .tcp(host: host, port: port), user: settings.adminUser, password: settings.adminPassword,
            tls: .disable, connectTimeout: .seconds(1), queryTimeout: .milliseconds(queryTimeout.wholeMilliseconds),
            programName: settings.programName)
    }

    /// Runs `body` on a fresh session to `name`, then reads the instance back.
    public func on(_ name: String, queryTimeout: Duration = .seconds(5),
                   _ body: (InstanceOperations) async throws -> Void) async -> ActionResult {
        guard let config = config(name, queryTimeout: queryTimeout) else { return .failed("no address for instance \(name)") }
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

    var repointOptions: RepointOptions { RepointOptions(semiSync: settings.semiSync) }

    /// Everything `name` holds (executed ∪ retrieved) must be in `source`'s executed set,
    /// read in that order (the source's set only grows), or nothing changes.
    public func repoint(_ name: String, to source: String, checkContainment: Bool) async -> ActionResult {
        guard let sourceAddress = directory.replicationSource(source, for: name) else { return .failed("no address for instance \(source)") }
        return await on(name) { ops in
            try await ops.setReadOnly()
            if checkContainment {
                let mine = try await ops.observe()
                guard let executed = mine.executedGTIDs else { throw ControlError("\(name): GTIDs unreadable") }
                let held = try mine.retrievedGTIDs.map { try executed.union($0) } ?? executed
                let theirs = await on(source) { _ in }
                guard let sourceExecuted = theirs.observation?.executedGTIDs else {
                    throw ControlError("\(source) unreadable for the containment check")
                }
                guard sourceExecuted.contains(held) else {
                    let errant = (try? held.errant(relativeTo: sourceExecuted)).map { "\($0)" } ?? "?"
                    throw ControlError("\(name) holds transactions \(source) lacks (\(errant)); not repointed")
                }
            }
            if settings.semiSync {
                // A former primary keeps its source side on otherwise, and MariaDB then hangs
                // in shutdown for a minute; replicas never need it.
                try await ops.disableSemiSyncSource()
                try await ops.enableSemiSyncReplica()
            }
            try await ops.repoint(to: sourceAddress, credentials: settings.replication, options: repointOptions)
        }
    }

    /// The instance actions; traffic, records and agent messages belong to the platform.
    public func perform(_ kind: GroupAction.Kind) async -> ActionResult {
        switch kind {
        case .fence(let name), .quarantine(let name, _):
            // Through the agent too: it may reach mysqld when we cannot, and it learns the
            // new term at once (its answer is not needed: the read-back below decides).
            if let url = directory.agentSidecarURL(name) {
                AgentCall.post(AgentAPI.fencePath, to: url, token: settings.agentToken, timeout: .seconds(2))
            }
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
                if !result.drained { throw ControlError("\(name) did not apply its relay log within \(timeout)") }
            }
        case .waitForGTIDs(let name, let gtids, let deadline):
            let timeout = max(.zero, deadline - clock.now())
            return await on(name, queryTimeout: timeout + .seconds(5)) { ops in
                try await ops.waitForGTIDs(gtids, timeout: timeout)
            }
        case .promote(let name):
            return await on(name) { ops in
                try await ops.promote(semiSyncGroupSize: settings.semiSync ? settings.groupSize : nil)
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

    /// A human sentence for an action, for logs and events.
    public static func describe(_ kind: GroupAction.Kind) -> String {
        switch kind {
        case .fence(let n): "fence \(n)"
        case .setReadOnly(let n): "set \(n) read-only"
        case .setWritable(let n): "set \(n) writable"
        case .stopIOThread(let n): "stop \(n)'s IO thread"
        case .drainRelayLog(let n, _): "drain \(n)'s relay log"
        case .waitForGTIDs(let n, let g, _): "wait until \(n) executed \(g)"
        case .promote(let n): "promote \(n)"
        case .confirmWritable(let n): "confirm \(n) is writable"
        case .repoint(let n, let to): "repoint \(n) to \(to)"
        case .quarantine(let n, let errant): "quarantine \(n) (errant \(errant.map { "\($0)" } ?? "unknown"))"
        case .rejoinAsReplica(let n, let s, let check): "rejoin \(n) as a replica of \(s)\(check ? "" : " without the containment check")"
        default: "\(kind)"
        }
    }
}

/// An action step that could not be carried out, with the reason.
public struct ControlError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
