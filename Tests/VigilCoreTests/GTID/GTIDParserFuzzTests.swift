import PropertyBased
import Testing
import VigilCore

/// Parsers must never trap: any input yields either a typed error pointing inside the text
/// or a value that survives a print/parse round trip.
@Suite struct GTIDParserFuzzTests {
    static let gtidAlphabet = Gen<Character?>
        .element(of: Array("0123456789abcdefABCDEF-:,_ \n\txyzT{}é🙂") as [Character])
        .map { $0! }

    static let validMySQL = [
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,\nffffffff-ffff-ffff-ffff-ffffffffffff:t_1:3",
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,4a2f0000-0000-0000-0000-00000000000a:1-3:7",
    ]
    static let validMariaDB = ["0-1-100,1-2-5", "4294967295-1-18446744073709551615"]

    /// Valid text with one random character inserted, deleted or replaced.
    static func mutated(_ texts: [String]) -> Generator<String, some SendableSequenceType> {
        zip(Gen.int(in: 0...(texts.count - 1)), Gen.int(in: 0...2), Gen.int(in: 0...200), gtidAlphabet)
            .map { pick, op, at, char in
                var chars = Array(texts[pick])
                let index = at % (chars.count + 1)
                switch op {
                case 0: chars.insert(char, at: index)
                case 1 where index < chars.count: chars.remove(at: index)
                default: if index < chars.count { chars[index] = char }
                }
                return String(chars)
            }
    }

    static func checkMySQL(_ text: String) {
        do {
            let set = try MySQLGTIDSet(parsing: text)
            #expect(try MySQLGTIDSet(parsing: set.description) == set)
        } catch {
            #expect((0...text.utf8.count).contains(error.offset))
            #expect(error.text == text)
            #expect(!error.description.isEmpty)
        }
    }

    static func checkMariaDB(_ text: String) {
        do {
            let position = try MariaDBGTIDPosition(parsing: text)
            #expect(try MariaDBGTIDPosition(parsing: position.description) == position)
        } catch {
            #expect((0...text.utf8.count).contains(error.offset))
            #expect(error.text == text)
        }
    }

    @Test func randomGTIDishStrings() async {
        await propertyCheck(count: 300, input: Self.gtidAlphabet.string(of: 0...60)) { text in
            Self.checkMySQL(text)
            Self.checkMariaDB(text)
        }
    }

    @Test func randomLatin1Strings() async {
        await propertyCheck(count: 200, input: Gen.latin1.string(of: 0...40)) { text in
            Self.checkMySQL(text)
            Self.checkMariaDB(text)
        }
    }

    @Test func mutatedServerOutput() async {
        await propertyCheck(count: 300, input: Self.mutated(Self.validMySQL)) { Self.checkMySQL($0) }
        await propertyCheck(count: 300, input: Self.mutated(Self.validMariaDB)) { Self.checkMariaDB($0) }
    }

    @Test func hugeNumbersAreErrorsNotTraps() {
        let digits = String(repeating: "9", count: 400)
        Self.checkMySQL("3e11fa47-71ca-11e1-9e33-c80aa9429562:\(digits)")
        Self.checkMySQL("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-\(digits)")
        Self.checkMariaDB("\(digits)-1-1")
        Self.checkMariaDB("1-1-\(digits)")
        #expect(MySQLGTIDSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:\(digits)") == nil)
    }
}
