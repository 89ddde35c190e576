/// Decodes one text-protocol cell by its column definition. Unparseable temporal or numeric
/// text falls back to `.string` rather than failing the whole result (zero dates exist).
enum TextValueDecoder {
    static func decode(_ bytes: ArraySlice<UInt8>, column: MySQLColumn) -> MySQLValue {
        let type = column.type
        if type.isInteger {
            if column.isUnsigned, let v = parseUnsigned(bytes) { return .uint(v) }
            if let v = parseSigned(bytes) { return .int(v) }
        } else if type.isFloating {
            if let d = Double(String(decoding: bytes, as: UTF8.self)) { return .double(d) }
        } else if type.isDecimal {
            return .decimal(String(decoding: bytes, as: UTF8.self))
        } else if type.isDate {
            if let d = parseDate(bytes) { return .date(d) }
        } else if type.isDateTime {
            if let d = parseDateTime(bytes) { return .datetime(d) }
        } else if type.isTime {
            if let t = parseTime(bytes) { return .time(t) }
        } else if type == .bit || type == .geometry || column.isBinary {
            return .bytes(Array(bytes))
        }
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    static func parseUnsigned(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var v: UInt64 = 0
        for b in bytes {
            guard b >= 48, b <= 57 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - 48))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    static func parseSigned(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "-") {
            guard let mag = parseUnsigned(bytes.dropFirst()) else { return nil }
            if mag == UInt64(Int64.max) + 1 { return Int64.min }
            return Int64(exactly: mag).map { -$0 }
        }
        return parseUnsigned(bytes).flatMap { Int64(exactly: $0) }
    }

    /// Reads `count` digits at `i`, advancing it.
    private static func digits(_ b: ArraySlice<UInt8>, _ i: inout Int, _ count: Int) -> Int? {
        guard i + count <= b.endIndex else { return nil }
        var v = 0
        for j in i..<(i + count) {
            let c = b[j]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        i += count
        return v
    }

    private static func expect(_ b: ArraySlice<UInt8>, _ i: inout Int, _ ch: Character) -> Bool {
        guard i < b.endIndex, b[i] == ch.asciiValue! else { return false }
        i += 1
        return true
    }

    static func parseDate(_ b: ArraySlice<UInt8>) -> MySQLDate? {
        var i = b.startIndex
        guard let d = parseDate(b, &i), i == b.endIndex else { return nil }
        return d
    }

    private static func parseDate(_ b: ArraySlice<UInt8>, _ i: inout Int) -> MySQLDate? {
        guard let y = digits(b, &i, 4), expect(b, &i, "-"), let m = digits(b, &i, 2), expect(b, &i, "-"),
              let d = digits(b, &i, 2) else { return nil }
        return MySQLDate(year: y, month: m, day: d)
    }

    /// Fraction digits after '.', scaled to microseconds.
    private static func fraction(_ b: ArraySlice<UInt8>, _ i: inout Int) -> Int? {
        guard i < b.endIndex else { return 0 }
        guard expect(b, &i, ".") else { return nil }
        var micro = 0
        var n = 0
        while i < b.endIndex, n < 6 {
            let c = b[i]
            guard c >= 48, c <= 57 else { return nil }
            micro = micro * 10 + Int(c - 48)
            n += 1
            i += 1
        }
        guard i == b.endIndex, n > 0 else { return nil }
        for _ in n..<6 { micro *= 10 }
        return micro
    }

    static func parseDateTime(_ b: ArraySlice<UInt8>) -> MySQLDateTime? {
        var i = b.startIndex
        guard let date = parseDate(b, &i), expect(b, &i, " "), let h = digits(b, &i, 2), expect(b, &i, ":"),
              let mi = digits(b, &i, 2), expect(b, &i, ":"), let s = digits(b, &i, 2),
              let us = fraction(b, &i) else { return nil }
        return MySQLDateTime(date: date, hour: h, minute: mi, second: s, microsecond: us)
    }

    static func parseTime(_ b: ArraySlice<UInt8>) -> MySQLTime? {
        var i = b.startIndex
        let negative = expect(b, &i, "-")
        var hourDigits = 0
        var j = i
        while j < b.endIndex, b[j] != UInt8(ascii: ":") { j += 1; hourDigits += 1 }
        guard hourDigits >= 2, hourDigits <= 3, let h = digits(b, &i, hourDigits), expect(b, &i, ":"),
              let m = digits(b, &i, 2), expect(b, &i, ":"), let s = digits(b, &i, 2),
              let us = fraction(b, &i) else { return nil }
        return MySQLTime(isNegative: negative, hours: h, minutes: m, seconds: s, microseconds: us)
    }
}
