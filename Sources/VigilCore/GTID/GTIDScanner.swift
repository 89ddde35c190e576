/// A byte-level cursor shared by the MySQL and MariaDB GTID parsers. Working on UTF-8 bytes
/// keeps parsing allocation-light and makes every offset in an error exact; nothing here
/// can trap on arbitrary input.
struct GTIDScanner {
    let text: String
    let flavor: Flavor
    private let utf8: [UInt8]
    private(set) var position = 0

    init(_ text: String, flavor: Flavor) {
        self.text = text
        self.flavor = flavor
        self.utf8 = Array(text.utf8)
    }

    var isAtEnd: Bool { position >= utf8.count }
    var current: UInt8? { isAtEnd ? nil : utf8[position] }

    /// MySQL prints `,\n` between UUIDs and accepts any ASCII whitespace between tokens.
    mutating func skipWhitespace() {
        while let byte = current, Self.isWhitespace(byte) { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// Advances over bytes matching `predicate`, returning the range covered.
    mutating func scan(while predicate: (UInt8) -> Bool) -> Range<Int> {
        let start = position
        while let byte = current, predicate(byte) { position += 1 }
        return start..<position
    }

    /// The raw bytes of a scanned range, for parsers that validate tokens themselves.
    func bytes(_ range: Range<Int>) -> [UInt8] { Array(utf8[range]) }

    func string(_ range: Range<Int>) -> String {
        String(decoding: utf8[range], as: UTF8.self)
    }

    /// The token starting at `offset`, for error messages: up to the next delimiter, or one
    /// whole character if the offset sits on a delimiter. Empty at the end of the text.
    func token(at offset: Int, delimiters: (UInt8) -> Bool = GTIDScanner.isDelimiter) -> String {
        guard offset < utf8.count else { return "" }
        var end = offset
        while end < utf8.count, !delimiters(utf8[end]), end - offset < 64 { end += 1 }
        if end == offset {
            end += 1
            while end < utf8.count, utf8[end] & 0xC0 == 0x80 { end += 1 }
        }
        return String(decoding: utf8[offset..<end], as: UTF8.self)
    }

    func error(at offset: Int, _ reason: GTIDParseError.Reason) -> GTIDParseError {
        GTIDParseError(flavor: flavor, text: text, offset: offset, reason: reason)
    }

    /// Reads a decimal number no larger than `max`. Overflow is an error, never a wrap.
    mutating func scanNumber(max: UInt64) throws(GTIDParseError) -> UInt64 {
        let start = position
        let digits = scan(while: Self.isDigit)
        guard !digits.isEmpty else { throw error(at: start, .expectedNumber(found: token(at: start))) }
        var value: UInt64 = 0
        var overflow = false
        for index in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(utf8[index] - UInt8(ascii: "0")))
            if o1 || o2 || sum > max { overflow = true; break }
            value = sum
        }
        if overflow { throw error(at: start, .numberOutOfRange(string(digits), max: max)) }
        return value
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":")
    }
}
