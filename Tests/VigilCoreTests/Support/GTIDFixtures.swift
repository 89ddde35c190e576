import PropertyBased
import VigilCore

/// Small fixed universes so random sets overlap often and a naive model stays tiny.
enum Fixtures {
    static let uuids: [ServerUUID] = [
        ServerUUID("3e11fa47-71ca-11e1-9e33-c80aa9429562")!,
        ServerUUID("4a2f0000-0000-0000-0000-00000000000a")!,
        ServerUUID("ffffffff-ffff-ffff-ffff-ffffffffffff")!,
    ]
    static let tags: [GTIDTag?] = [nil, GTIDTag("alpha")!, GTIDTag("b_2")!]

    static func source(_ uuid: Int, _ tag: Int) -> GTIDSource {
        GTIDSource(uuid: uuids[uuid], tag: tags[tag])
    }

    static func mysql(_ text: String) -> MySQLGTIDSet {
        do { return try MySQLGTIDSet(parsing: text) } catch { fatalError("fixture \(text): \(error)") }
    }

    static func mariadb(_ text: String) -> MariaDBGTIDPosition {
        do { return try MariaDBGTIDPosition(parsing: text) } catch { fatalError("fixture \(text): \(error)") }
    }
}

/// One transaction in the naive model of a MySQL GTID set.
struct ModelGTID: Hashable {
    let source: GTIDSource
    let gno: UInt64
}

/// A random MySQL set described as (uuid index, tag index, first GNO, extra length) runs.
struct MySQLSpec: Sendable, CustomStringConvertible {
    let runs: [RunSpec]

    struct RunSpec: Sendable {
        let uuid: Int
        let tag: Int
        let first: UInt64
        let length: UInt64
    }

    var set: MySQLGTIDSet {
        var set = MySQLGTIDSet()
        for run in runs { set.insert(run.first...(run.first + run.length), for: Fixtures.source(run.uuid, run.tag)) }
        return set
    }

    var model: Set<ModelGTID> {
        var model: Set<ModelGTID> = []
        for run in runs {
            for gno in run.first...(run.first + run.length) {
                model.insert(ModelGTID(source: Fixtures.source(run.uuid, run.tag), gno: gno))
            }
        }
        return model
    }

    var description: String { self.set.description }
}

enum Generators {
    static let mysqlSpec = zip(Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int(in: 1...40), Gen.int(in: 0...6))
        .map { MySQLSpec.RunSpec(uuid: $0, tag: $1, first: UInt64($2), length: UInt64($3)) }
        .array(of: 0...5)
        .map { MySQLSpec(runs: $0) }

    static let mysqlSet = mysqlSpec.map(\.set)

    /// Domains 0...3, server ids 1...3, sequences 0...20.
    static let mariadbPosition = zip(Gen<UInt32>.value(in: 0...3), Gen<UInt32>.value(in: 1...3), Gen<UInt64>.value(in: 0...20))
        .map { MariaDBGTID(domain: $0, serverID: $1, sequence: $2) }
        .array(of: 0...4)
        .map { MariaDBGTIDPosition($0) }

    static let seed = Gen<UInt64>.value(in: 0...UInt64.max)
}

/// Expands a set into the naive model (only for the small sets generated here).
func model(of set: MySQLGTIDSet) -> Set<ModelGTID> {
    var model: Set<ModelGTID> = []
    for source in set.sources {
        for interval in set.intervals(for: source) {
            for gno in interval { model.insert(ModelGTID(source: source, gno: gno)) }
        }
    }
    return model
}

/// A tiny deterministic PRNG for scrambling test inputs from a generated seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
