/// A MySQL `server_uuid`, stored as 128 bits so that case and dash placement in the text
/// cannot make two spellings of the same server look like two servers.
/// Ordering is numeric, which equals the order of the canonical lowercase text.
public struct ServerUUID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Accepts the forms MySQL accepts: `3e11fa47-71ca-11e1-9e33-c80aa9429562`, the same
    /// without dashes, or wrapped in braces; any letter case.
    public init?(_ text: String) {
        self.init(utf8: Array(text.utf8))
    }

    init?(utf8 input: [UInt8]) {
        var bytes = input[...]
        if bytes.first == UInt8(ascii: "{") && bytes.last == UInt8(ascii: "}") && bytes.count >= 2 {
            bytes = bytes.dropFirst().dropLast()
        }
        let dashed = bytes.count == 36
        guard dashed || bytes.count == 32 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for (index, byte) in bytes.enumerated() {
            if dashed && (index == 8 || index == 13 || index == 18 || index == 23) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = Self.hexValue(byte) else { return nil }
            if nibbles < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
            nibbles += 1
        }
        self.init(high: high, low: low)
    }

    public static func < (lhs: ServerUUID, rhs: ServerUUID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Canonical form: lowercase, dashed.
    public var description: String {
        let hex = Self.hex(high, digits: 16) + Self.hex(low, digits: 16)
        var out = ""
        out.reserveCapacity(36)
        for (index, char) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append("-") }
            out.append(char)
        }
        return out
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let uuid = ServerUUID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID: '\(text)'")
        }
        self = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let raw = String(value, radix: 16)
        return String(repeating: "0", count: digits - raw.count) + raw
    }
}
