/// A MariaDB GTID position such as `0-1-100,1-2-5` (`gtid_current_pos`, `gtid_slave_pos`,
/// `Gtid_IO_Pos`): at most one GTID per replication domain, meaning "everything in that
/// domain up to and including `seq`".
///
/// Containment compares sequence numbers per domain only, as MariaDB itself does; the server
/// id is kept (it is part of the text and of `==`) but does not order anything. Equal
/// sequences with different server ids mean two histories diverged at that point, which
/// positions alone cannot prove otherwise; see `divergentDomains(comparedTo:)`.
public struct MariaDBGTIDPosition: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public static let empty = MariaDBGTIDPosition()

    private var byDomain: [UInt32: MariaDBGTID]

    public init() {
        byDomain = [:]
    }

    /// Builds a position from GTIDs in any order; if a domain appears twice the one further
    /// ahead wins (the same rule as `union`).
    public init(_ gtids: [MariaDBGTID]) {
        byDomain = [:]
        for gtid in gtids { insert(gtid) }
    }

    /// Returns nil on malformed text; use `init(parsing:)` to learn why.
    public init?(_ description: String) {
        guard let position = try? MariaDBGTIDPosition(parsing: description) else { return nil }
        self = position
    }

    public var isEmpty: Bool { byDomain.isEmpty }

    /// The GTIDs, sorted by domain.
    public var gtids: [MariaDBGTID] { byDomain.values.sorted { $0.domain < $1.domain } }

    public var domains: [UInt32] { byDomain.keys.sorted() }

    public subscript(domain domain: UInt32) -> MariaDBGTID? { byDomain[domain] }

    /// The last sequence number covered in `domain`; 0 (nothing) when the domain is absent.
    public func sequence(inDomain domain: UInt32) -> UInt64 { byDomain[domain]?.sequence ?? 0 }

    /// For every domain of `other`, `self` is at least as far.
    public func contains(_ other: MariaDBGTIDPosition) -> Bool {
        other.byDomain.values.allSatisfy { sequence(inDomain: $0.domain) >= $0.sequence }
    }

    /// The furthest GTID per domain.
    public func union(_ other: MariaDBGTIDPosition) -> MariaDBGTIDPosition {
        var result = self
        for gtid in other.byDomain.values { result.insert(gtid) }
        return result
    }

    /// What `self` has that `other` lacks: per domain where `self` is further ahead, `self`'s
    /// GTID (the end of the range `other` is missing). Empty exactly when `other ⊇ self`.
    public func subtracting(_ other: MariaDBGTIDPosition) -> MariaDBGTIDPosition {
        var result = MariaDBGTIDPosition()
        for gtid in byDomain.values where gtid.sequence > other.sequence(inDomain: gtid.domain) {
            result.byDomain[gtid.domain] = gtid
        }
        return result
    }

    /// What `other` has that `self` lacks (`other - self`).
    public func missing(from other: MariaDBGTIDPosition) -> MariaDBGTIDPosition { other.subtracting(self) }

    /// Domains where both positions are at the same sequence but written by different
    /// servers: proof that the histories diverged, invisible to sequence containment.
    public func divergentDomains(comparedTo other: MariaDBGTIDPosition) -> [UInt32] {
        byDomain.values.filter { gtid in
            guard let theirs = other.byDomain[gtid.domain] else { return false }
            return theirs.sequence == gtid.sequence && theirs.serverID != gtid.serverID
        }
        .map(\.domain).sorted()
    }

    public mutating func insert(_ gtid: MariaDBGTID) {
        if let existing = byDomain[gtid.domain], !gtid.isAhead(of: existing) { return }
        byDomain[gtid.domain] = gtid
    }

    /// Canonical text: sorted by domain, comma-separated, no spaces.
    public var description: String { gtids.map(\.description).joined(separator: ",") }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try MariaDBGTIDPosition(parsing: container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension MariaDBGTIDPosition {
    /// Parses `domain-server-seq` entries separated by commas (whitespace allowed around
    /// them). domain and server id are 32-bit, seq 64-bit; a domain may appear only once.
    public init(parsing text: some StringProtocol) throws(GTIDParseError) {
        var scanner = GTIDScanner(String(text), flavor: .mariadb)
        self.init()
        scanner.skipWhitespace()
        guard !scanner.isAtEnd else { return }
        while true {
            let start = scanner.position
            let gtid = try Self.scanGTID(&scanner)
            guard byDomain[gtid.domain] == nil else { throw scanner.error(at: start, .duplicateDomain(gtid.domain)) }
            byDomain[gtid.domain] = gtid
            scanner.skipWhitespace()
            if scanner.isAtEnd { return }
            guard scanner.consume(UInt8(ascii: ",")) else {
                throw scanner.error(at: scanner.position, .unexpectedText(scanner.token(at: scanner.position)))
            }
            scanner.skipWhitespace()
        }
    }

    private static func isEntryDelimiter(_ byte: UInt8) -> Bool {
        GTIDScanner.isWhitespace(byte) || byte == UInt8(ascii: ",")
    }

    private static func scanGTID(_ scanner: inout GTIDScanner) throws(GTIDParseError) -> MariaDBGTID {
        let start = scanner.position
        let malformed = scanner.error(at: start, .malformedMariaDBGTID(scanner.token(at: start, delimiters: isEntryDelimiter)))
        do throws(GTIDParseError) {
            let domain = try scanner.scanNumber(max: UInt64(UInt32.max))
            guard scanner.consume(UInt8(ascii: "-")) else { throw malformed }
            let serverID = try scanner.scanNumber(max: UInt64(UInt32.max))
            guard scanner.consume(UInt8(ascii: "-")) else { throw malformed }
            let sequence = try scanner.scanNumber(max: UInt64.max)
            guard scanner.current.map(isEntryDelimiter) ?? true else { throw malformed }
            return MariaDBGTID(domain: UInt32(domain), serverID: UInt32(serverID), sequence: sequence)
        } catch {
            // A missing number is a shape problem of the whole entry; report the entry.
            if case .expectedNumber = error.reason { throw malformed }
            throw error
        }
    }
}
