import NIOCore

/// Where and how to connect. Secrets live here only in memory; `description` never prints them.
public struct MySQLConfiguration: Sendable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): return "\(host):\(port)"
            case .unixSocket(let path): return "unix:\(path)"
            }
        }
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String
    public var database: String?
    public var tls: MySQLTLSMode
    /// TCP connect plus handshake and authentication must finish within this.
    public var connectTimeout: TimeAmount
    /// Default per-command deadline; a command that runs out of it closes the connection,
    /// because the protocol has no way to abandon a query mid-stream on the same socket.
    public var queryTimeout: TimeAmount?
    /// Upper bound of one logical packet we accept; protects against absurd lengths.
    public var maxPacketSize: Int
    /// The server's RSA public key (PEM) for caching_sha2_password over plain TCP; when nil
    /// it is requested from the server, which trusts the network path for that exchange.
    public var serverPublicKeyPEM: String?
    /// Sent as `program_name` in the connection attributes (shows in processlist tools).
    public var programName: String
    /// Negotiate the classic EOF packets instead of CLIENT_DEPRECATE_EOF (older servers, tests).
    public var classicEOF: Bool = false
    /// Which IO the connection runs on (see `MySQLTransport`).
    public var transport: MySQLTransport = .automatic

    /// TLS is demanded (not merely preferred).
    var requiresTLS: Bool {
        switch tls {
        case .disable, .prefer: return false
        case .require, .verifyCA, .verifyFull: return true
        }
    }

    /// The transport `connect` uses: direct whenever TLS cannot be wanted.
    var usesDirectTransport: Bool {
        switch transport {
        case .nio: return false
        case .direct: return true
        case .automatic:
            if case .disable = tls { return true }
            if case .prefer = tls, case .unixSocket = endpoint { return true }  // never TLS on a socket
            return false
        }
    }

    public init(
        endpoint: Endpoint,
        user: String,
        password: String = "",
        database: String? = nil,
        tls: MySQLTLSMode = .prefer,
        connectTimeout: TimeAmount = .seconds(10),
        queryTimeout: TimeAmount? = nil,
        maxPacketSize: Int = 1 << 30,
        serverPublicKeyPEM: String? = nil,
        programName: String = "vigil"
    ) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.queryTimeout = queryTimeout
        self.maxPacketSize = maxPacketSize
        self.serverPublicKeyPEM = serverPublicKeyPEM
        self.programName = programName
    }

    public var description: String {
        "MySQLConfiguration(\(endpoint), user: \(user), password: <redacted>, database: \(database ?? "-"), tls: \(tls))"
    }
}

/// The IO under a connection. Both run the same protocol state machine and command pump.
public enum MySQLTransport: Sendable, Equatable {
    /// `direct` when the TLS mode rules TLS out (`disable`, or `prefer` on a unix socket),
    /// NIO otherwise.
    case automatic
    /// SwiftNIO (and NIOSSL): every TLS mode.
    case nio
    /// A non-blocking socket on Vigil's own `DirectLoop`: plaintext TCP or a unix socket,
    /// about a third less client work per round trip than NIO (bench/RESULTS.md).
    case direct
}

/// TLS policy, named after libmysqlclient's `--ssl-mode` values.
public enum MySQLTLSMode: Sendable, Equatable, CustomStringConvertible {
    /// Never use TLS.
    case disable
    /// Use TLS when the server offers it, without verifying the certificate.
    case prefer
    /// Require TLS, without verifying the certificate.
    case require
    /// Require TLS and a certificate chain that leads to `caFile` (or the system roots).
    case verifyCA(caFile: String?)
    /// As `verifyCA`, and the certificate must name the host we connected to.
    case verifyFull(caFile: String?)

    public var description: String {
        switch self {
        case .disable: return "disable"
        case .prefer: return "prefer"
        case .require: return "require"
        case .verifyCA: return "verify-ca"
        case .verifyFull: return "verify-full"
        }
    }

    var mustUseTLS: Bool {
        switch self {
        case .disable, .prefer: return false
        case .require, .verifyCA, .verifyFull: return true
        }
    }

    /// Parses the command-line spelling (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`).
    public init?(name: String, caFile: String? = nil) {
        switch name.lowercased() {
        case "disable", "disabled": self = .disable
        case "prefer", "preferred": self = .prefer
        case "require", "required": self = .require
        case "verify-ca", "verify_ca": self = .verifyCA(caFile: caFile)
        case "verify-full", "verify_identity", "verify-identity": self = .verifyFull(caFile: caFile)
        default: return nil
        }
    }
}
