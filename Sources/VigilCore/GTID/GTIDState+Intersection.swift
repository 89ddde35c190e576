extension MariaDBGTIDPosition {
    /// What both positions cover: per domain present in both, the one further behind (its
    /// GTID). Like containment, it compares sequences only.
    public func intersection(_ other: MariaDBGTIDPosition) -> MariaDBGTIDPosition {
        MariaDBGTIDPosition(gtids.compactMap { mine in
            guard let theirs = other[domain: mine.domain] else { return nil }
            return mine.sequence <= theirs.sequence ? mine : theirs
        })
    }
}

extension GTIDState {
    /// Transactions in both `self` and `other`.
    public func intersection(_ other: GTIDState) throws(GTIDFlavorMismatch) -> GTIDState {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): .mysql(a.intersection(b))
        case (.mariadb(let a), .mariadb(let b)): .mariadb(a.intersection(b))
        default: throw GTIDFlavorMismatch(lhs: flavor, rhs: other.flavor)
        }
    }
}
