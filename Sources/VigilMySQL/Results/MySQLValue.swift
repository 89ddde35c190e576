/// A decoded text-protocol value. Decoding follows the column's type, flags and charset.
public enum MySQLValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case int(Int64)
    case uint(UInt64)
    /// Exact decimals stay text: no binary floating point may round them.
    case decimal(String)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case date(MySQLDate)
    case datetime(MySQLDateTime)
    case time(MySQLTime)

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .decimal(let v): return v
        case .double(let v): return String(v)
        case .string(let v): return v
        case .bytes(let v): return "0x" + v.map { String($0, radix: 16).leftPadded(2) }.joined()
        case .date(let v): return v.description
        case .datetime(let v): return v.description
        case .time(let v): return v.description
        }
    }

    public var isNull: Bool { self == .null }

    /// Text form as the server sent it (for display), nil for NULL.
    public var string: String? {
        switch self {
        case .null: return nil
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return description
        }
    }

    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .uint(let v): return Int64(exactly: v)
        case .decimal(let s), .string(let s): return Int64(s)
        case .double(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    public var uint: UInt64? {
        switch self {
        case .uint(let v): return v
        case .int(let v): return UInt64(exactly: v)
        case .decimal(let s), .string(let s): return UInt64(s)
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .decimal(let s), .string(let s): return Double(s)
        default: return nil
        }
    }

    /// MySQL booleans are integers; accepts ON/OFF/YES/NO text as SHOW statements print them.
    public var bool: Bool? {
        if let i = int { return i != 0 }
        switch string?.uppercased() {
        case "ON", "YES", "TRUE": return true
        case "OFF", "NO", "FALSE": return false
        default: return nil
        }
    }
}

public struct MySQLDate: Sendable, Equatable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }
    public var description: String {
        "\(String(year).leftPadded(4))-\(String(month).leftPadded(2))-\(String(day).leftPadded(2))"
    }
}

public struct MySQLDateTime: Sendable, Equatable, CustomStringConvertible {
    public var date: MySQLDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int
    public init(date: MySQLDate, hour: Int, minute: Int, second: Int, microsecond: Int = 0) {
        self.date = date; self.hour = hour; self.minute = minute; self.second = second; self.microsecond = microsecond
    }
    public var description: String {
        var s = "\(date) \(String(hour).leftPadded(2)):\(String(minute).leftPadded(2)):\(String(second).leftPadded(2))"
        if microsecond != 0 { s += "." + String(microsecond).leftPadded(6) }
        return s
    }
}

/// TIME is a duration in MySQL (-838:59:59 … 838:59:59), not a time of day.
public struct MySQLTime: Sendable, Equatable, CustomStringConvertible {
    public var isNegative: Bool
    public var hours: Int
    public var minutes: Int
    public var seconds: Int
    public var microseconds: Int
    public init(isNegative: Bool = false, hours: Int, minutes: Int, seconds: Int, microseconds: Int = 0) {
        self.isNegative = isNegative; self.hours = hours; self.minutes = minutes; self.seconds = seconds
        self.microseconds = microseconds
    }
    public var description: String {
        var s = (isNegative ? "-" : "") + "\(String(hours).leftPadded(2)):\(String(minutes).leftPadded(2)):\(String(seconds).leftPadded(2))"
        if microseconds != 0 { s += "." + String(microseconds).leftPadded(6) }
        return s
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
