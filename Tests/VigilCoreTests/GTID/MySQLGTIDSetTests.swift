import Testing
import VigilCore

@Suite struct MySQLGTIDSetParsingTests {
    @Test func parsesServerOutputWithNewlines() throws {
        let text = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n4a2f0000-0000-0000-0000-00000000000a:1-3:7"
        let set = try MySQLGTIDSet(parsing: text)
        #expect(set.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,4a2f0000-0000-0000-0000-00000000000a:1-3:7")
        #expect(set.count == 9)
        #expect(set.sources.count == 2)
    }

    @Test func emptyAndWhitespaceAreTheEmptySet() throws {
        #expect(try MySQLGTIDSet(parsing: "").isEmpty)
        #expect(try MySQLGTIDSet(parsing: "  \n\t").isEmpty)
        #expect(MySQLGTIDSet.empty.description == "")
        #expect(MySQLGTIDSet.empty.count == 0)
    }

    @Test func canonicalizesOrderMergesAndLowercases() throws {
        let set = try MySQLGTIDSet(
            parsing: " ffffffff-ffff-ffff-ffff-ffffffffffff:9 ,\r\n 3e11fa47-71ca-11e1-9e33-c80aa9429562 : 7-9 : 1-3 : 4-5 : 2 ")
        #expect(set.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,ffffffff-ffff-ffff-ffff-ffffffffffff:9")
    }

    @Test func sameUUIDInSeveralEntriesIsMerged() throws {
        let set = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2,3E11FA47-71CA-11E1-9E33-C80AA9429562:3")
        #expect(set.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3")
    }

    @Test func acceptsUndashedAndBracedUUIDs() throws {
        let plain = try MySQLGTIDSet(parsing: "3e11fa4771ca11e19e33c80aa9429562:1")
        let braced = try MySQLGTIDSet(parsing: "{3e11fa47-71ca-11e1-9e33-c80aa9429562}:1")
        #expect(plain == braced)
        #expect(plain.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1")
    }

    @Test func tagsApplyToFollowingIntervalsUntilTheNextTag() throws {
        let set = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:MyTag:1-9:other:4:_x:1")
        let uuid = Fixtures.uuids[0]
        #expect(set.intervals(for: GTIDSource(uuid: uuid)) == [1...3])
        #expect(set.intervals(for: GTIDSource(uuid: uuid, tag: GTIDTag("mytag"))) == [1...9])
        #expect(set.intervals(for: GTIDSource(uuid: uuid, tag: GTIDTag("other"))) == [4...4])
        #expect(set.count == 3 + 9 + 1 + 1)
        // Untagged first, then tags sorted, all lowercase.
        #expect(set.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:_x:1:mytag:1-9:other:4")
    }

    @Test func tagCaseDoesNotMatter() throws {
        let a = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:TAG:1-2")
        let b = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:tag:2:tag:1")
        #expect(a == b)
    }

    @Test func tagOnlyEntriesAndEmptyEntriesAreTolerated() throws {
        // MySQL accepts a UUID without intervals and stray commas; they add nothing.
        let set = try MySQLGTIDSet(parsing: ",3e11fa47-71ca-11e1-9e33-c80aa9429562,,ffffffff-ffff-ffff-ffff-ffffffffffff:t,")
        #expect(set.isEmpty)
    }

    @Test func largestGNOIsAccepted() throws {
        let set = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:9223372036854775806-9223372036854775807")
        #expect(set.count == 2)
        #expect(set.description.hasSuffix(":9223372036854775806-9223372036854775807"))
    }

    @Test(arguments: [
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:9-3", 37, GTIDParseError.Reason.reversedInterval(9, 3)),
        ("xyz:1", 0, .notAUUID("xyz")),
        ("3e11fa47-71ca-11e1-9e33-c80aa942956:1", 0, .notAUUID("3e11fa47-71ca-11e1-9e33-c80aa942956")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:0", 37, .zeroGNO),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:9223372036854775808", 37,
         .numberOutOfRange("9223372036854775808", max: 9_223_372_036_854_775_807)),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-99999999999999999999999", 39,
         .numberOutOfRange("99999999999999999999999", max: 9_223_372_036_854_775_807)),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-", 39, .expectedNumber(found: "")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:", 37, .expectedIntervalOrTag(found: "")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:-5", 37, .expectedIntervalOrTag(found: "-5")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:bad-tag:1", 37, .invalidTag("bad-tag")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:" + String(repeating: "t", count: 33) + ":1", 37,
         .invalidTag(String(repeating: "t", count: 33))),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:1 2", 39, .unexpectedText("2")),
        ("3e11fa47-71ca-11e1-9e33-c80aa9429562:5x", 38, .unexpectedText("x")),
    ])
    func rejectsMalformedTextPrecisely(text: String, offset: Int, reason: GTIDParseError.Reason) {
        #expect(throws: GTIDParseError(flavor: .mysql, text: text, offset: offset, reason: reason)) {
            try MySQLGTIDSet(parsing: text)
        }
    }

    @Test func errorMessagesNameTheProblem() {
        do {
            _ = try MySQLGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:9-3")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("interval 9-3 is reversed"))
            #expect(error.description.contains("offset 37"))
        }
        do {
            _ = try MySQLGTIDSet(parsing: "xyz")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("not a UUID: 'xyz'"))
        }
    }

    @Test func losslessStringConvertibleReturnsNilOnGarbage() {
        #expect(MySQLGTIDSet("garbage") == nil)
        #expect(MySQLGTIDSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:1")?.count == 1)
    }
}

@Suite struct MySQLGTIDSetAlgebraTests {
    let a = Fixtures.mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10:20,ffffffff-ffff-ffff-ffff-ffffffffffff:t:1-3")
    let b = Fixtures.mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-25")

    @Test func union() {
        #expect(a.union(b).description
            == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-25,ffffffff-ffff-ffff-ffff-ffffffffffff:t:1-3")
    }

    @Test func subtracting() {
        #expect(a.subtracting(b).description
            == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4,ffffffff-ffff-ffff-ffff-ffffffffffff:t:1-3")
        #expect(b.subtracting(a).description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:11-19:21-25")
        #expect(b.missing(from: a) == a.subtracting(b))
    }

    @Test func intersection() {
        #expect(a.intersection(b).description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-10:20")
    }

    @Test func containment() {
        #expect(a.union(b).contains(a))
        #expect(!a.contains(b))
        #expect(a.contains(.empty))
        #expect(MySQLGTIDSet.empty.contains(.empty))
        #expect(a.contains(7, from: GTIDSource(uuid: Fixtures.uuids[0])))
        #expect(!a.contains(11, from: GTIDSource(uuid: Fixtures.uuids[0])))
        // A tagged sequence is independent of the untagged one with the same UUID.
        #expect(!a.contains(1, from: GTIDSource(uuid: Fixtures.uuids[2])))
    }

    @Test func programmaticConstructionDropsImpossibleGNOs() {
        let set = MySQLGTIDSet([GTIDSource(uuid: Fixtures.uuids[0]): [0...2, 5...4 + 1, UInt64.max...UInt64.max]])
        #expect(set.description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2:5")
    }

    @Test func countSaturatesInsteadOfOverflowing() {
        var set = MySQLGTIDSet()
        for uuid in Fixtures.uuids { set.insert(MySQLGTIDSet.validGNOs, for: GTIDSource(uuid: uuid)) }
        #expect(set.count == UInt64.max)
    }
}
