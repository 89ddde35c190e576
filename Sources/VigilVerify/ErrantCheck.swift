import VigilCore

public struct ErrantTransactions: Codable, Sendable, Equatable {
    public var instance: String
    public var gtidExecuted: String
    /// What this instance executed that the final primary lacks (VigilCore's `errant`).
    public var errant: String
    /// MariaDB only: domains at the same sequence but written by different servers — a
    /// divergence sequence containment cannot see.
    public var divergentDomains: [UInt32]
    /// MariaDB only: the instance's last transaction in a domain has the sequence number of a
    /// write a client saw acknowledged, but another server wrote that one: the instance kept a
    /// transaction of its own (typically a deposed primary's unacknowledged tail) where the
    /// group's history has another. A position holds only the last GTID per domain, so the
    /// acknowledged GTIDs the run recorded are what show it.
    public var divergentFromAcknowledged: [String]

    public init(instance: String, gtidExecuted: String, errant: String, divergentDomains: [UInt32],
                divergentFromAcknowledged: [String] = []) {
        self.instance = instance
        self.gtidExecuted = gtidExecuted
        self.errant = errant
        self.divergentDomains = divergentDomains
        self.divergentFromAcknowledged = divergentFromAcknowledged
    }
}

/// Errant transactions on every reachable non-primary instance (typically a demoted primary),
/// measured against the final primary with VigilCore's GTID math.
enum ErrantCheck {
    static func check(_ history: History, primary: FinalRead?) -> (found: [ErrantTransactions], notes: [String]) {
        guard let primary, let primaryText = primary.gtidExecuted else { return ([], []) }
        guard let primaryState = parse(primaryText) else {
            return ([], ["cannot parse gtid_executed of \(primary.instance): \(primaryText)"])
        }
        var found: [ErrantTransactions] = []
        var notes: [String] = []
        // domain → sequence → the server that wrote the acknowledged write with that GTID.
        var acknowledged: [UInt32: [UInt64: UInt32]] = [:]
        for op in history.operations where op.outcome == .ok {
            guard let text = op.gtid, let position = MariaDBGTIDPosition(text) else { continue }
            for gtid in position.gtids { acknowledged[gtid.domain, default: [:]][gtid.sequence] = gtid.serverID }
        }
        for read in history.finalReads.sorted(by: { $0.instance < $1.instance })
        where read.reachable && read.instance != primary.instance {
            guard let text = read.gtidExecuted else { continue }
            guard let state = parse(text) else {
                notes.append("cannot parse gtid_executed of \(read.instance): \(text)")
                continue
            }
            if state.isEmpty { continue }
            guard let errant = try? state.errant(relativeTo: primaryState) else {
                notes.append("\(read.instance) and \(primary.instance) report GTIDs of different flavors")
                continue
            }
            var divergent: [UInt32] = []
            var fromAcknowledged: [String] = []
            if case .mariadb(let mine) = state, case .mariadb(let theirs) = primaryState {
                divergent = mine.divergentDomains(comparedTo: theirs)
                fromAcknowledged = mine.gtids.filter { gtid in
                    acknowledged[gtid.domain]?[gtid.sequence].map { $0 != gtid.serverID } ?? false
                }.map(\.description)
            }
            if !errant.isEmpty || !divergent.isEmpty || !fromAcknowledged.isEmpty {
                found.append(ErrantTransactions(
                    instance: read.instance, gtidExecuted: text, errant: errant.description, divergentDomains: divergent,
                    divergentFromAcknowledged: fromAcknowledged))
            }
        }
        return (found, notes)
    }

    /// The flavor is not recorded, but the two grammars do not overlap: MariaDB positions are
    /// `d-s-n`, MySQL sets start with a server uuid.
    static func parse(_ text: String) -> GTIDState? {
        if let state = try? GTIDState(parsing: text, flavor: .mariadb) { return state }
        return try? GTIDState(parsing: text, flavor: .mysql)
    }
}
