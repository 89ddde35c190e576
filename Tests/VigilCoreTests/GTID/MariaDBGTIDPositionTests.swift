import PropertyBased
import Testing
import VigilCore

@Suite struct MariaDBGTIDPositionTests {
    @Test func parsesServerOutput() throws {
        let position = try MariaDBGTIDPosition(parsing: "0-1-100,1-2-5")
        #expect(position.gtids == [
            MariaDBGTID(domain: 0, serverID: 1, sequence: 100),
            MariaDBGTID(domain: 1, serverID: 2, sequence: 5),
        ])
        #expect(position.description == "0-1-100,1-2-5")
        #expect(position.sequence(inDomain: 0) == 100)
        #expect(position.sequence(inDomain: 7) == 0)
        #expect(position[domain: 1]?.serverID == 2)
    }

    @Test func canonicalFormIsSortedByDomain() throws {
        #expect(try MariaDBGTIDPosition(parsing: " 2-1-3 ,\n 0-1-100 ").description == "0-1-100,2-1-3")
        #expect(try MariaDBGTIDPosition(parsing: "").isEmpty)
        #expect(try MariaDBGTIDPosition(parsing: " \n").description == "")
    }

    @Test(arguments: [
        ("0-1", 0, GTIDParseError.Reason.malformedMariaDBGTID("0-1")),
        ("0-1-2-3", 0, .malformedMariaDBGTID("0-1-2-3")),
        ("a-b-c", 0, .malformedMariaDBGTID("a-b-c")),
        ("0-1-5,", 6, .malformedMariaDBGTID("")),
        ("0-1-5,,1-1-1", 6, .malformedMariaDBGTID(",")),
        ("0-1-5 1-1-1", 6, .unexpectedText("1-1-1")),
        ("0-1-5,0-2-9", 6, .duplicateDomain(0)),
        ("4294967296-1-1", 0, .numberOutOfRange("4294967296", max: 4_294_967_295)),
        ("0-4294967296-1", 2, .numberOutOfRange("4294967296", max: 4_294_967_295)),
        ("0-1-18446744073709551616", 4, .numberOutOfRange("18446744073709551616", max: UInt64.max)),
        ("-1-1-1", 0, .malformedMariaDBGTID("-1-1-1")),
    ])
    func rejectsMalformedText(text: String, offset: Int, reason: GTIDParseError.Reason) {
        #expect(throws: GTIDParseError(flavor: .mariadb, text: text, offset: offset, reason: reason)) {
            try MariaDBGTIDPosition(parsing: text)
        }
    }

    @Test func largestNumbersAreAccepted() throws {
        let position = try MariaDBGTIDPosition(parsing: "4294967295-4294967295-18446744073709551615")
        #expect(position.description == "4294967295-4294967295-18446744073709551615")
    }

    @Test func containmentIsBySequencePerDomain() {
        let primary = Fixtures.mariadb("0-1-100,1-2-5")
        #expect(primary.contains(Fixtures.mariadb("0-1-99")))
        #expect(primary.contains(Fixtures.mariadb("0-3-100,1-2-5")))  // server id does not order
        #expect(!primary.contains(Fixtures.mariadb("0-1-101")))
        #expect(!primary.contains(Fixtures.mariadb("2-1-1")))
        #expect(primary.contains(.empty))
    }

    @Test func unionSubtractAndMissing() {
        let a = Fixtures.mariadb("0-1-100,1-2-5")
        let b = Fixtures.mariadb("0-1-90,1-3-7,2-1-1")
        #expect(a.union(b).description == "0-1-100,1-3-7,2-1-1")
        #expect(a.subtracting(b).description == "0-1-100")
        #expect(b.subtracting(a).description == "1-3-7,2-1-1")
        #expect(a.missing(from: b) == b.subtracting(a))
    }

    @Test func divergenceAtTheSameSequenceIsReported() {
        let a = Fixtures.mariadb("0-1-100,1-2-5")
        let b = Fixtures.mariadb("0-2-100,1-2-5")
        #expect(a.contains(b) && b.contains(a))
        #expect(a != b)
        #expect(a.divergentDomains(comparedTo: b) == [0])
    }

    @Test func programmaticConstructionKeepsTheFurthestPerDomain() {
        let position = MariaDBGTIDPosition([
            MariaDBGTID(domain: 0, serverID: 1, sequence: 5),
            MariaDBGTID(domain: 0, serverID: 2, sequence: 9),
            MariaDBGTID(domain: 0, serverID: 3, sequence: 7),
        ])
        #expect(position.description == "0-2-9")
    }

    @Test func unionLaws() async {
        let gen = Generators.mariadbPosition
        await propertyCheck(count: 200, input: gen, gen, gen) { a, b, c in
            #expect(a.union(b) == b.union(a))
            #expect(a.union(b).union(c) == a.union(b.union(c)))
            #expect(a.union(a) == a)
            #expect(a.union(b).contains(a) && a.union(b).contains(b))
        }
    }

    @Test func containmentAndSubtractionAgree() async {
        let gen = Generators.mariadbPosition
        await propertyCheck(count: 200, input: gen, gen) { a, b in
            #expect(a.contains(b) == b.subtracting(a).isEmpty)
            #expect(b.subtracting(a).isEmpty || !a.contains(b.subtracting(a)))
            let rest = a.union(b).subtracting(b)
            #expect(a.contains(rest))
            #expect(b.union(rest).contains(a))
            // Naive model: domain → sequence.
            let expected = b.gtids.allSatisfy { gtid in
                (a.gtids.first { $0.domain == gtid.domain }?.sequence ?? 0) >= gtid.sequence
            }
            #expect(a.contains(b) == expected)
        }
    }

    @Test func printThenParseRoundTrips() async throws {
        await propertyCheck(count: 200, input: Generators.mariadbPosition) { position in
            let parsed = try MariaDBGTIDPosition(parsing: position.description)
            #expect(parsed == position)
            #expect(parsed.description == position.description)
            #expect(try JSONRoundTrip.roundTrip(position) == position)
        }
    }
}
