/// Client/server capability bits (Protocol::CapabilityFlags).
struct CapabilityFlags: OptionSet, Sendable, Hashable {
    var rawValue: UInt32

    static let longPassword = Self(rawValue: 1)
    static let foundRows = Self(rawValue: 1 << 1)
    static let longFlag = Self(rawValue: 1 << 2)
    static let connectWithDB = Self(rawValue: 1 << 3)
    static let localFiles = Self(rawValue: 1 << 7)
    static let protocol41 = Self(rawValue: 1 << 9)
    static let interactive = Self(rawValue: 1 << 10)
    static let ssl = Self(rawValue: 1 << 11)
    static let transactions = Self(rawValue: 1 << 13)
    static let secureConnection = Self(rawValue: 1 << 15)
    static let multiStatements = Self(rawValue: 1 << 16)
    static let multiResults = Self(rawValue: 1 << 17)
    static let psMultiResults = Self(rawValue: 1 << 18)
    static let pluginAuth = Self(rawValue: 1 << 19)
    static let connectAttrs = Self(rawValue: 1 << 20)
    static let pluginAuthLenencClientData = Self(rawValue: 1 << 21)
    static let sessionTrack = Self(rawValue: 1 << 23)
    static let deprecateEOF = Self(rawValue: 1 << 24)

    /// What this client can do; the session uses the intersection with the server's set.
    static let clientDefault: CapabilityFlags = [
        .longPassword, .foundRows, .longFlag, .protocol41, .transactions, .secureConnection,
        .multiStatements, .multiResults, .psMultiResults, .pluginAuth, .connectAttrs,
        .pluginAuthLenencClientData, .sessionTrack, .deprecateEOF,
    ]
}

/// Server status bits carried by OK and EOF packets.
public enum MySQLStatusFlags {
    public static let inTransaction: UInt16 = 0x0001
    public static let autocommit: UInt16 = 0x0002
    public static let moreResultsExist: UInt16 = 0x0008
    public static let sessionStateChanged: UInt16 = 0x4000
}

enum CommandByte: UInt8 {
    case quit = 0x01
    case query = 0x03
    case ping = 0x0E
}
