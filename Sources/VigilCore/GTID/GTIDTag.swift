/// A MySQL 8.4 GTID tag (`uuid:tag:1-5`). Tags are case-insensitive, so they are stored
/// lowercase: `uuid:Batch:1` and `uuid:batch:1` are the same transaction.
public struct GTIDTag: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// Lowercase, matches `[a-z_][a-z0-9_]{0,31}`.
    public let rawValue: String

    public static let maxLength = 32

    /// Returns nil unless `text` is a valid tag (`[A-Za-z_][A-Za-z0-9_]{0,31}`).
    public init?(_ text: String) {
        guard Self.isValid(Array(text.utf8)) else { return nil }
        rawValue = text.lowercased()
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, bytes.count <= maxLength, isTagStart(first) else { return false }
        return bytes.allSatisfy(isTagBody)
    }

    static func isTagStart(_ byte: UInt8) -> Bool {
        let folded = byte | 0x20  // ASCII lowercase
        return byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(folded)
    }

    static func isTagBody(_ byte: UInt8) -> Bool {
        isTagStart(byte) || GTIDScanner.isDigit(byte)
    }

    public static func < (lhs: GTIDTag, rhs: GTIDTag) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let tag = GTIDTag(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid GTID tag '\(text)'")
        }
        self = tag
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
