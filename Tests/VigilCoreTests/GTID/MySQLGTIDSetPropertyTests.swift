import PropertyBased
import Testing
import VigilCore

@Suite struct MySQLGTIDSetPropertyTests {
    @Test func operationsMatchNaiveSetModel() async {
        await propertyCheck(count: 300, input: Generators.mysqlSpec, Generators.mysqlSpec) { a, b in
            let (x, y) = (a.set, b.set)
            let (mx, my) = (a.model, b.model)
            #expect(model(of: x) == mx)
            #expect(model(of: x.union(y)) == mx.union(my))
            #expect(model(of: x.subtracting(y)) == mx.subtracting(my))
            #expect(model(of: x.intersection(y)) == mx.intersection(my))
            #expect(x.contains(y) == mx.isSuperset(of: my))
            #expect((x == y) == (mx == my))
            #expect(x.count == UInt64(mx.count))
            #expect(x.isEmpty == mx.isEmpty)
        }
    }

    @Test func unionIsCommutativeAssociativeIdempotent() async {
        await propertyCheck(count: 200, input: Generators.mysqlSet, Generators.mysqlSet, Generators.mysqlSet) { a, b, c in
            #expect(a.union(b) == b.union(a))
            #expect(a.union(b).union(c) == a.union(b.union(c)))
            #expect(a.union(a) == a)
            #expect(a.union(.empty) == a)
        }
    }

    @Test func subtractionLaws() async {
        await propertyCheck(count: 200, input: Generators.mysqlSet, Generators.mysqlSet) { a, b in
            let joined = a.union(b)
            #expect(joined.contains(a) && joined.contains(b))
            let rest = joined.subtracting(b)
            #expect(a.contains(rest))
            #expect(rest.isDisjoint(with: b))
            #expect(rest.union(b) == joined)
            #expect(a.contains(b) == b.subtracting(a).isEmpty)
            #expect(a.intersection(b) == a.subtracting(a.subtracting(b)))
            #expect(b.missing(from: a) == a.subtracting(b))
        }
    }

    @Test func printThenParseRoundTrips() async throws {
        await propertyCheck(count: 200, input: Generators.mysqlSet) { set in
            let text = set.description
            let parsed = try MySQLGTIDSet(parsing: text)
            #expect(parsed == set)
            #expect(parsed.description == text)
        }
    }

    /// Any spelling a server might produce (split and shuffled intervals, repeated UUIDs,
    /// upper case, `,\n` separators, spaces) parses to the same set and prints canonically.
    @Test func scrambledSpellingsParseToTheSameSet() async throws {
        await propertyCheck(count: 200, input: Generators.mysqlSet, Generators.seed) { set, seed in
            var rng = SplitMix(state: seed)
            var entries: [String] = []
            for source in set.sources {
                for interval in set.intervals(for: source) {
                    // Split each interval into up to three pieces, each its own entry.
                    var pieces: [ClosedRange<UInt64>] = []
                    var low = interval.lowerBound
                    while low <= interval.upperBound {
                        let high = min(interval.upperBound, low + UInt64.random(in: 0...3, using: &rng))
                        pieces.append(low...high)
                        low = high + 1
                    }
                    for piece in pieces {
                        var uuid = source.uuid.description
                        if Bool.random(using: &rng) { uuid = uuid.uppercased() }
                        let tag = source.tag.map { ":" + (Bool.random(using: &rng) ? $0.rawValue.uppercased() : $0.rawValue) } ?? ""
                        let range = piece.lowerBound == piece.upperBound && Bool.random(using: &rng)
                            ? "\(piece.lowerBound)" : "\(piece.lowerBound)-\(piece.upperBound)"
                        entries.append(uuid + tag + (Bool.random(using: &rng) ? " : " : ":") + range)
                    }
                }
            }
            entries.shuffle(using: &rng)
            let text = entries.joined(separator: Bool.random(using: &rng) ? ",\n" : " , ")
            let parsed = try MySQLGTIDSet(parsing: text)
            #expect(parsed == set)
            #expect(parsed.description == set.description)
        }
    }

    @Test func codableUsesCanonicalText() async throws {
        await propertyCheck(count: 50, input: Generators.mysqlSet) { set in
            let json = try JSONRoundTrip.encode(set)
            #expect(json == "\"\(set.description)\"")
            #expect(try JSONRoundTrip.decode(MySQLGTIDSet.self, json) == set)
        }
    }
}
