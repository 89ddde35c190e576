/// Why a GTID text could not be parsed. Parsers never trap: every malformed input, including
/// random garbage, ends up here with the whole input, where the problem starts and what it is.
public struct GTIDParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// A MySQL set entry does not start with a server UUID.
        case notAUUID(String)
        /// A MySQL 8.4 tag that is not `[a-z_][a-z0-9_]{0,31}` (case-insensitive).
        case invalidTag(String)
        /// After `uuid:` (or `uuid:tag:`) came neither a GNO nor a tag.
        case expectedIntervalOrTag(found: String)
        /// A number was required (after `-` in an interval, or in a MariaDB GTID).
        case expectedNumber(found: String)
        /// MySQL GNOs start at 1.
        case zeroGNO
        /// A number larger than the field allows (GNO: 2^63-1, domain/server id: 2^32-1, seq: 2^64-1).
        case numberOutOfRange(String, max: UInt64)
        /// `a-b` with `b < a`. MySQL silently drops such intervals; we refuse them because a
        /// GTID text that loses transactions on the way in would corrupt every decision made on it.
        case reversedInterval(UInt64, UInt64)
        /// Something other than `,` or the end after a complete entry.
        case unexpectedText(String)
        /// A MariaDB entry that is not `domain-server-seq`.
        case malformedMariaDBGTID(String)
        /// A MariaDB position holds at most one GTID per replication domain.
        case duplicateDomain(UInt32)

        public var description: String {
            switch self {
            case .notAUUID(let text): "not a UUID: '\(text)'"
            case .invalidTag(let text): "invalid tag '\(text)' (tags are [a-z_][a-z0-9_]{0,31})"
            case .expectedIntervalOrTag(let found): "expected a GNO interval or a tag, found \(Self.quote(found))"
            case .expectedNumber(let found): "expected a number, found \(Self.quote(found))"
            case .zeroGNO: "GNO 0 is not valid (GNOs start at 1)"
            case .numberOutOfRange(let text, let max): "number \(text) is out of range (max \(max))"
            case .reversedInterval(let a, let b): "interval \(a)-\(b) is reversed"
            case .unexpectedText(let text): "unexpected \(Self.quote(text)) (expected ',' or end of text)"
            case .malformedMariaDBGTID(let text): "malformed GTID '\(text)' (expected domain-server-seq)"
            case .duplicateDomain(let domain): "domain \(domain) appears more than once"
            }
        }

        private static func quote(_ token: String) -> String {
            token.isEmpty ? "end of text" : "'\(token)'"
        }
    }

    /// Which grammar was being parsed.
    public let flavor: Flavor
    /// The complete input.
    public let text: String
    /// Offset of the offending token, in UTF-8 code units from the start of `text`.
    public let offset: Int
    public let reason: Reason

    public init(flavor: Flavor, text: String, offset: Int, reason: Reason) {
        self.flavor = flavor
        self.text = text
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let what = flavor == .mysql ? "MySQL GTID set" : "MariaDB GTID position"
        let shown = text.utf8.count > 120 ? String(text.prefix(117)) + "..." : text
        return "invalid \(what) at offset \(offset): \(reason) in '\(shown)'"
    }
}

/// Two GTID states of different flavors were combined; MySQL sets and MariaDB positions
/// describe unrelated histories, so there is no meaningful answer.
public struct GTIDFlavorMismatch: Error, Sendable, Hashable, CustomStringConvertible {
    public let lhs: Flavor
    public let rhs: Flavor

    public init(lhs: Flavor, rhs: Flavor) {
        self.lhs = lhs
        self.rhs = rhs
    }

    public var description: String { "cannot combine \(lhs) GTIDs with \(rhs) GTIDs" }
}
