/// The GTID history of one instance, whichever flavor it runs. Decisions (errant-transaction
/// checks, candidate choice) are written once against this type.
///
/// Combining states of different flavors is a configuration error, not a GTID fact: the
/// operations that build a new state throw `GTIDFlavorMismatch`, and `contains` answers
/// false (unless `other` is empty), so a mismatch can never make an instance look complete.
public enum GTIDState: Sendable, Hashable, CustomStringConvertible {
    case mysql(MySQLGTIDSet)
    case mariadb(MariaDBGTIDPosition)

    public static func empty(_ flavor: Flavor) -> GTIDState {
        switch flavor {
        case .mysql: .mysql(.empty)
        case .mariadb: .mariadb(.empty)
        }
    }

    /// Parses server text in the grammar of `flavor`.
    public init(parsing text: some StringProtocol, flavor: Flavor) throws(GTIDParseError) {
        switch flavor {
        case .mysql: self = .mysql(try MySQLGTIDSet(parsing: text))
        case .mariadb: self = .mariadb(try MariaDBGTIDPosition(parsing: text))
        }
    }

    public var flavor: Flavor {
        switch self {
        case .mysql: .mysql
        case .mariadb: .mariadb
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .mysql(let set): set.isEmpty
        case .mariadb(let position): position.isEmpty
        }
    }

    /// Whether `self` has every transaction of `other`.
    public func contains(_ other: GTIDState) -> Bool {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): a.contains(b)
        case (.mariadb(let a), .mariadb(let b)): a.contains(b)
        default: other.isEmpty
        }
    }

    public func union(_ other: GTIDState) throws(GTIDFlavorMismatch) -> GTIDState {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): .mysql(a.union(b))
        case (.mariadb(let a), .mariadb(let b)): .mariadb(a.union(b))
        default: throw GTIDFlavorMismatch(lhs: flavor, rhs: other.flavor)
        }
    }

    /// What `self` has that `other` lacks.
    public func subtracting(_ other: GTIDState) throws(GTIDFlavorMismatch) -> GTIDState {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): .mysql(a.subtracting(b))
        case (.mariadb(let a), .mariadb(let b)): .mariadb(a.subtracting(b))
        default: throw GTIDFlavorMismatch(lhs: flavor, rhs: other.flavor)
        }
    }

    /// Transactions this replica has that `primary` does not: non-empty means errant
    /// transactions (local writes or a divergent history) that must not be silently lost.
    public func errant(relativeTo primary: GTIDState) throws(GTIDFlavorMismatch) -> GTIDState {
        try subtracting(primary)
    }

    /// Transactions `other` has that `self` still lacks (e.g. what a replica must fetch).
    public func missing(from other: GTIDState) throws(GTIDFlavorMismatch) -> GTIDState {
        try other.subtracting(self)
    }

    /// The canonical server text (without the flavor).
    public var description: String {
        switch self {
        case .mysql(let set): set.description
        case .mariadb(let position): position.description
        }
    }
}

extension GTIDState: Codable {
    private enum CodingKeys: String, CodingKey {
        case flavor
        case gtids
    }

    // `{"flavor":"mysql","gtids":"uuid:1-5"}`: readable in logs and status JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let flavor = try container.decode(Flavor.self, forKey: .flavor)
        self = try GTIDState(parsing: container.decode(String.self, forKey: .gtids), flavor: flavor)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(flavor, forKey: .flavor)
        try container.encode(description, forKey: .gtids)
    }
}
