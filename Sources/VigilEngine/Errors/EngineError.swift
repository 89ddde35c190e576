import VigilCore
import VigilMySQL

/// Every failure of an engine operation. It always names the instance and the operation,
/// and — when a statement was involved — the statement in its redacted spelling, so an
/// error can be logged or shown as is. `applied` lists what had already taken effect when a
/// multi-statement operation stopped, so nothing is ever half-applied without saying so.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, CustomStringConvertible {
        /// The server (or the connection) refused the statement.
        case statementFailed(MySQLError)
        /// The session failed with something that is not a `MySQLError` (fakes, cancellation).
        case sessionFailed(String)
        /// The server answered, but not with what the statement must return.
        case unexpectedResult(String)
        /// A GTID text the server sent could not be parsed.
        case invalidGTID(GTIDParseError)
        /// The server version is missing, unparseable or too old.
        case unsupportedVersion(VersionError)
        /// The instance did not reach the wanted GTIDs in time. `had` is what it had executed
        /// when the wait ended (nil if even that could not be read).
        case gtidWaitTimedOut(wanted: GTIDState, had: GTIDState?, timeout: Duration)
        /// The request itself is wrong (e.g. GTIDs of the other flavor, a bad account name).
        case invalidRequest(String)

        public var description: String {
            switch self {
            case .statementFailed(let error): error.description
            case .sessionFailed(let text): text
            case .unexpectedResult(let text): "unexpected result: \(text)"
            case .invalidGTID(let error): error.description
            case .unsupportedVersion(let error): error.description
            case .gtidWaitTimedOut(let wanted, let had, let timeout):
                "did not reach GTIDs \(wanted) within \(timeout.secondsText); it had executed \(had.map { "\($0)" } ?? "<unknown>")"
            case .invalidRequest(let text): "invalid request: \(text)"
            }
        }
    }

    /// Instance name as the caller knows it (e.g. `db-1`).
    public let instance: String
    /// What was being done (`observe`, `fence`, `promote`, `repoint`, …).
    public let operation: String
    /// The statement that failed, redacted; nil when no statement was involved.
    public let statement: String?
    public let reason: Reason
    /// Statements of this operation that had taken effect before the failure, redacted,
    /// in order. Empty means nothing was changed (reads excluded).
    public let applied: [String]

    public init(instance: String, operation: String, statement: String? = nil, reason: Reason, applied: [String] = []) {
        self.instance = instance
        self.operation = operation
        self.statement = statement
        self.reason = reason
        self.applied = applied
    }

    /// The server's error, when the server refused the statement.
    public var serverError: MySQLServerError? {
        if case .statementFailed(let error) = reason { return error.serverError }
        return nil
    }

    /// Missing privileges: 1227 (need SUPER / a dynamic privilege), 1142 (table command
    /// denied), 1044 (database access denied), 1045 (authentication), 1370 (routine denied).
    public var isPermissionDenied: Bool {
        guard let code = serverError?.code else { return false }
        return [1044, 1045, 1142, 1227, 1370].contains(code)
    }

    public var description: String {
        var text = "\(instance): \(operation) failed"
        if let statement { text += " at `\(statement)`" }
        text += ": \(reason)"
        if !applied.isEmpty {
            text += " (already applied: " + applied.map { "`\($0)`" }.joined(separator: ", ") + ")"
        }
        return text
    }
}

extension Duration {
    /// `1.5s`, `30s`, `0.25s`: how waits are spelled in messages.
    var secondsText: String {
        let ms = wholeMilliseconds
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        var fraction = String(ms % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(ms / 1000).\(fraction)s"
    }
}
