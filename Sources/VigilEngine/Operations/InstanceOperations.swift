import Logging
import VigilCore
import VigilMySQL

/// Observes and steers one instance: a dialect run over a session. Every method throws
/// `EngineError`, naming this instance, the operation and (redacted) statement, and what
/// had already been applied when a multi-statement operation stopped.
///
/// Statements run one at a time on the one session. Long waits (`waitForGTIDs`,
/// `drainRelayLog`) block the session for up to their timeout, so the session's own query
/// timeout must be longer than any wait asked of it.
public struct InstanceOperations: Sendable {
    public let instance: String
    public let session: any SQLSession
    public let dialect: any EngineDialect
    public let logger: Logger

    public init(instance: String, session: any SQLSession, dialect: any EngineDialect,
                logger: Logger = Logger(label: "vigil.engine")) {
        self.instance = instance
        self.session = session
        self.dialect = dialect
        self.logger = logger
    }

    /// Picks the dialect from a version string (e.g. `MySQLConnection.serverVersion`).
    public init(instance: String, session: any SQLSession, serverVersion: String,
                logger: Logger = Logger(label: "vigil.engine")) throws(EngineError) {
        do {
            let version = try ServerVersion.supported(serverVersion)
            self.init(instance: instance, session: session, dialect: engineDialect(for: version.flavor), logger: logger)
        } catch {
            throw EngineError(instance: instance, operation: "detect flavor", reason: .unsupportedVersion(error))
        }
    }

    /// Picks the dialect from the version the connection's handshake reported.
    public init(instance: String, connection: MySQLConnection,
                logger: Logger = Logger(label: "vigil.engine")) throws(EngineError) {
        try self.init(instance: instance, session: connection, serverVersion: connection.serverVersion, logger: logger)
    }

    /// Asks the server for its version, then picks the dialect.
    public static func detect(instance: String, session: any SQLSession,
                              logger: Logger = Logger(label: "vigil.engine")) async throws(EngineError) -> InstanceOperations {
        let statement: SQLStatement = "SELECT VERSION()"
        let result: MySQLResult
        do {
            result = try await session.query(statement.sql)
        } catch let error as MySQLError {
            throw EngineError(instance: instance, operation: "detect flavor", statement: statement.redacted,
                              reason: .statementFailed(error))
        } catch {
            throw EngineError(instance: instance, operation: "detect flavor", statement: statement.redacted,
                              reason: .sessionFailed(String(describing: error)))
        }
        guard let text = result.rows.first?.string(0) else {
            throw EngineError(instance: instance, operation: "detect flavor", statement: statement.redacted,
                              reason: .unexpectedResult("no version returned"))
        }
        return try InstanceOperations(instance: instance, session: session, serverVersion: text, logger: logger)
    }

    public var flavor: Flavor { dialect.flavor }

    // MARK: Observe

    /// One probe: variables, replica status, semi-sync and uptime. Read-only.
    public func observe() async throws(EngineError) -> InstanceObservation {
        let run = OperationRun("observe", on: self)
        let globalsResult = try await run.read(dialect.globalsQuery)
        let globals = try run.parse(dialect.globalsQuery) { () throws(ResultParseError) in
            try dialect.parseGlobals(globalsResult)
        }
        let replication = try await readReplication(run)
        let statusResult = try await run.read(dialect.statusQuery)
        let status = dialect.parseStatus(statusResult.nameValuePairs())
        return InstanceObservation(
            name: instance,
            reachable: true,
            flavor: flavor,
            serverID: globals.serverID,
            serverUUID: globals.serverUUID,
            version: globals.version,
            uptimeSeconds: status.uptimeSeconds,
            readOnly: globals.readOnly,
            superReadOnly: globals.superReadOnly,
            executedGTIDs: globals.executedGTIDs,
            retrievedGTIDs: replication?.retrievedGTIDs,
            replica: replication?.status,
            semiSync: status.semiSync)
    }

    /// Executed GTIDs only (cheaper than `observe`).
    public func executedGTIDs() async throws(EngineError) -> GTIDState {
        try await readExecuted(OperationRun("read executed GTIDs", on: self))
    }

    func readExecuted(_ run: OperationRun) async throws(EngineError) -> GTIDState {
        let result = try await run.read(dialect.globalsQuery)
        return try run.parse(dialect.globalsQuery) { () throws(ResultParseError) in
            try dialect.parseGlobals(result).executedGTIDs
        }
    }

    func readReplication(_ run: OperationRun) async throws(EngineError) -> ObservedReplication? {
        let result = try await run.read(dialect.replicaStatusQuery)
        return try run.parse(dialect.replicaStatusQuery) { () throws(ResultParseError) in
            try dialect.parseReplicaStatus(result)
        }
    }
}
