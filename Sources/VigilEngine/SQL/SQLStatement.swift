/// One SQL statement, carried in two spellings built side by side: the text sent to the
/// server and a redacted text for errors and logs in which every secret reads `'<redacted>'`.
/// Secrets are never removed from a finished string after the fact (a regex misses cases);
/// they simply never enter the redacted spelling.
///
/// Built with string interpolation, which only accepts typed pieces so nothing is spelled
/// into SQL unescaped by accident:
///
///     let s: SQLStatement = "ALTER USER \(account: user, host) IDENTIFIED BY \(secret: pw)"
public struct SQLStatement: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringInterpolation
{
    /// What the server receives. May contain secrets: never log or print it.
    public let sql: String
    /// Safe to show anywhere.
    public let redacted: String
    /// The secret values spelled into `sql`, kept so that a server message quoting the
    /// statement back (a syntax error "near '…'") can be scrubbed before anyone sees it.
    let secrets: [String]

    public init(sql: String, redacted: String) {
        self.init(sql: sql, redacted: redacted, secrets: [])
    }

    init(sql: String, redacted: String, secrets: [String]) {
        self.sql = sql
        self.redacted = redacted
        self.secrets = secrets
    }

    public init(stringLiteral value: String) {
        self.init(sql: value, redacted: value)
    }

    public init(stringInterpolation: Interpolation) {
        self.init(sql: stringInterpolation.sql, redacted: stringInterpolation.redacted,
                  secrets: stringInterpolation.secrets)
    }

    public var containsSecret: Bool { sql != redacted }

    public var description: String { redacted }
    public var debugDescription: String { "SQLStatement(\(redacted))" }
    // `dump()` and debuggers read stored properties through reflection; show only the safe text.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    public struct Interpolation: StringInterpolationProtocol {
        var sql = ""
        var redacted = ""
        var secrets: [String] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity * 2)
            redacted.reserveCapacity(literalCapacity * 2)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
            redacted += literal
        }

        /// A quoted, escaped string literal.
        public mutating func appendInterpolation(literal value: String) {
            appendLiteral(SQL.quote(value))
        }

        /// A quoted, escaped string literal that appears only in the sent text.
        public mutating func appendInterpolation(secret value: String) {
            sql += SQL.quote(value)
            redacted += "'<redacted>'"
            secrets.append(value)
        }

        public mutating func appendInterpolation(identifier name: String) {
            appendLiteral(SQL.identifier(name))
        }

        public mutating func appendInterpolation(account user: String, _ host: String) {
            appendLiteral(SQL.account(user: user, host: host))
        }

        public mutating func appendInterpolation<I: BinaryInteger>(_ value: I) {
            appendLiteral(String(value))
        }

        /// Trusted SQL text (keywords chosen by code, never user input).
        public mutating func appendInterpolation(raw text: String) {
            appendLiteral(text)
        }

        /// A whole statement fragment, keeping its redaction.
        public mutating func appendInterpolation(_ fragment: SQLStatement) {
            sql += fragment.sql
            redacted += fragment.redacted
            secrets += fragment.secrets
        }
    }
}

extension SQLStatement {
    /// Joins fragments with a separator, keeping each fragment's redaction.
    public static func joined(_ parts: [SQLStatement], separator: String) -> SQLStatement {
        SQLStatement(
            sql: parts.map(\.sql).joined(separator: separator),
            redacted: parts.map(\.redacted).joined(separator: separator),
            secrets: parts.flatMap(\.secrets)
        )
    }

    /// `text` with every secret of this statement (raw, and as escaped inside the quotes)
    /// replaced by `<redacted>`.
    public func scrub(_ text: String) -> String {
        Self.scrub(text, secrets: secrets)
    }

    static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        // Longest first, so a secret containing another is replaced whole.
        let forms = Set(secrets.filter { !$0.isEmpty }.flatMap { [$0, String(SQL.quote($0).dropFirst().dropLast())] })
        for form in forms.sorted(by: { $0.count > $1.count }) {
            result = result.replacing(form, with: "<redacted>")
        }
        return result
    }
}
