/// A column definition (Protocol::ColumnDefinition41), trimmed to what callers use.
public struct MySQLColumn: Sendable, Equatable {
    public var schema: String
    public var table: String
    public var name: String
    public var originalName: String
    public var characterSet: UInt16
    public var length: UInt32
    public var type: MySQLColumnType
    public var flags: UInt16
    public var decimals: UInt8

    public init(schema: String = "", table: String = "", name: String, originalName: String = "",
                characterSet: UInt16 = 33, length: UInt32 = 0, type: MySQLColumnType,
                flags: UInt16 = 0, decimals: UInt8 = 0) {
        self.schema = schema
        self.table = table
        self.name = name
        self.originalName = originalName
        self.characterSet = characterSet
        self.length = length
        self.type = type
        self.flags = flags
        self.decimals = decimals
    }

    public var isUnsigned: Bool { flags & 0x20 != 0 }
    /// Charset 63 is `binary`: the bytes are not text.
    public var isBinary: Bool { characterSet == 63 }
}

/// `enum_field_types` from the protocol documentation.
public struct MySQLColumnType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let decimal = Self(rawValue: 0)
    public static let tiny = Self(rawValue: 1)
    public static let short = Self(rawValue: 2)
    public static let long = Self(rawValue: 3)
    public static let float = Self(rawValue: 4)
    public static let double = Self(rawValue: 5)
    public static let null = Self(rawValue: 6)
    public static let timestamp = Self(rawValue: 7)
    public static let longlong = Self(rawValue: 8)
    public static let int24 = Self(rawValue: 9)
    public static let date = Self(rawValue: 10)
    public static let time = Self(rawValue: 11)
    public static let datetime = Self(rawValue: 12)
    public static let year = Self(rawValue: 13)
    public static let newdate = Self(rawValue: 14)
    public static let varchar = Self(rawValue: 15)
    public static let bit = Self(rawValue: 16)
    public static let timestamp2 = Self(rawValue: 17)
    public static let datetime2 = Self(rawValue: 18)
    public static let time2 = Self(rawValue: 19)
    public static let json = Self(rawValue: 245)
    public static let newdecimal = Self(rawValue: 246)
    public static let enumeration = Self(rawValue: 247)
    public static let set = Self(rawValue: 248)
    public static let tinyBlob = Self(rawValue: 249)
    public static let mediumBlob = Self(rawValue: 250)
    public static let longBlob = Self(rawValue: 251)
    public static let blob = Self(rawValue: 252)
    public static let varString = Self(rawValue: 253)
    public static let string = Self(rawValue: 254)
    public static let geometry = Self(rawValue: 255)

    var isInteger: Bool { [.tiny, .short, .long, .longlong, .int24, .year].contains(self) }
    var isDecimal: Bool { self == .decimal || self == .newdecimal }
    var isFloating: Bool { self == .float || self == .double }
    var isDate: Bool { self == .date || self == .newdate }
    var isDateTime: Bool { [.datetime, .datetime2, .timestamp, .timestamp2].contains(self) }
    var isTime: Bool { self == .time || self == .time2 }

    public var description: String { "type(\(rawValue))" }
}
