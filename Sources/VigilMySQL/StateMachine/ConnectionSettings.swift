/// What the protocol machine needs from the configuration (no sockets, no event loops).
struct ConnectionSettings: Sendable {
    var user: String
    var password: String
    var database: String?
    var tls: MySQLTLSMode
    /// Unix sockets are a secure transport: the full caching_sha2 path may send the password.
    var isUnixSocket: Bool
    var serverPublicKeyPEM: String?
    var maxPacketSize: Int
    var useDeprecateEOF: Bool = true
    var programName: String = "vigil"
    /// utf8mb4_general_ci: understood by every supported MySQL and MariaDB.
    var characterSet: UInt8 = 45
}

/// What the connection learned during the handshake.
struct SessionInfo: Sendable, Equatable {
    var serverVersion: String
    var connectionID: UInt32
    var isTLS: Bool
    var authPlugin: String
}

enum ClientCommand: Sendable {
    case query(String)
    case ping
    case quit
}

enum CommandOutcome: Sendable {
    /// A query's results in order (never none); the first apart, saving an array for the usual one.
    case results(first: MySQLResult, more: [MySQLResult])
    case done
}
