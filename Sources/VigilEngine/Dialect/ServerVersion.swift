import VigilCore

/// A server's version as reported by `VERSION()` or the handshake, with its flavor.
public struct ServerVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let flavor: Flavor
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// The text as the server sent it.
    public let text: String

    /// Oldest versions whose SQL the dialects use throughout (`CHANGE REPLICATION SOURCE`,
    /// `SHOW REPLICA STATUS`, the `rpl_semi_sync_source` plugin names arrived in MySQL 8.0.26;
    /// MariaDB 10.11 is the oldest LTS with `SLAVE MONITOR` and built-in semi-sync).
    public static let minimumMySQL = (major: 8, minor: 0, patch: 26)
    public static let minimumMariaDB = (major: 10, minor: 11, patch: 0)

    public init(flavor: Flavor, major: Int, minor: Int, patch: Int, text: String? = nil) {
        self.flavor = flavor
        self.major = major
        self.minor = minor
        self.patch = patch
        self.text = text ?? "\(major).\(minor).\(patch)"
    }

    /// Parses `10.11.6-MariaDB-0+deb12u1-log`, `5.5.5-10.11.6-MariaDB` (the handshake form
    /// MariaDB sends so old clients do not mistake it for MySQL 10), `8.4.3`, `9.1.0-commercial`.
    /// Anything without "MariaDB" in it is MySQL (Percona Server included).
    public init(parsing text: String) throws(VersionError) {
        let isMariaDB = text.lowercased().contains("mariadb")
        var rest = Substring(text)
        if isMariaDB, rest.hasPrefix("5.5.5-") { rest = rest.dropFirst(6) }
        let numbers = rest.prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { throw .unparseable(text) }
        self.init(flavor: isMariaDB ? .mariadb : .mysql, major: numbers[0], minor: numbers[1],
                  patch: numbers.count > 2 ? numbers[2] : 0, text: text)
    }

    /// Parses and refuses versions older than the dialects support.
    public static func supported(_ text: String) throws(VersionError) -> ServerVersion {
        let version = try ServerVersion(parsing: text)
        let minimum = version.flavor == .mysql ? minimumMySQL : minimumMariaDB
        if (version.major, version.minor, version.patch) < (minimum.major, minimum.minor, minimum.patch) {
            throw .unsupported(version: text, flavor: version.flavor,
                               minimum: "\(minimum.major).\(minimum.minor).\(minimum.patch)")
        }
        return version
    }

    public static func < (lhs: ServerVersion, rhs: ServerVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(flavor) \(major).\(minor).\(patch)" }
}

public enum VersionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unparseable(String)
    case unsupported(version: String, flavor: Flavor, minimum: String)

    public var description: String {
        switch self {
        case .unparseable(let text): "cannot parse server version '\(text)'"
        case .unsupported(let text, let flavor, let minimum):
            "\(flavor) \(text) is not supported (need \(minimum) or newer)"
        }
    }
}
