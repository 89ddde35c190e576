/// Which server family an instance runs. GTIDs differ completely between the two
/// (MySQL: uuid sets, MariaDB: domain-server-seq positions), so almost every decision needs it.
public enum Flavor: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case mysql
    case mariadb

    public var description: String {
        switch self {
        case .mysql: "MySQL"
        case .mariadb: "MariaDB"
        }
    }
}
