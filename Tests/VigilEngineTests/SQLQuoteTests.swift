import Testing
@testable import VigilEngine

@Suite("SQL quoting and redacted statements")
struct SQLQuoteTests {
    @Test("string literals escape what mysql_real_escape_string escapes")
    func quoting() {
        #expect(SQL.quote("plain") == "'plain'")
        #expect(SQL.quote("it's") == #"'it\'s'"#)
        #expect(SQL.quote(#"back\slash"#) == #"'back\\slash'"#)
        #expect(SQL.quote("say \"hi\"") == #"'say \"hi\"'"#)
        #expect(SQL.quote("a\0b\nc\rd\u{1A}e") == #"'a\0b\nc\rd\Ze'"#)
        #expect(SQL.quote("") == "''")
        #expect(SQL.quote("ünïcødé ✓") == "'ünïcødé ✓'")
        #expect(SQL.quote("x' OR '1'='1") == #"'x\' OR \'1\'=\'1'"#)
    }

    @Test("NO_BACKSLASH_ESCAPES spelling doubles quotes and leaves backslashes alone")
    func quotingWithoutBackslashEscapes() {
        #expect(SQL.quote(#"it's a \ test"#, noBackslashEscapes: true) == #"'it''s a \ test'"#)
    }

    @Test("identifiers and accounts")
    func identifiers() {
        #expect(SQL.identifier("app") == "`app`")
        #expect(SQL.identifier("we`ird") == "`we``ird`")
        #expect(SQL.account(user: "vigil_repl", host: "%") == "'vigil_repl'@'%'")
    }

    @Test("interpolation keeps secrets out of the redacted spelling")
    func redaction() {
        let user = "o'brien"
        let password = "s3cr'et\\pw"
        let statement: SQLStatement = "ALTER USER \(account: user, "%") IDENTIFIED BY \(secret: password) -- \(identifier: "db") \(42)"
        #expect(statement.sql == #"ALTER USER 'o\'brien'@'%' IDENTIFIED BY 's3cr\'et\\pw' -- `db` 42"#)
        #expect(statement.redacted == #"ALTER USER 'o\'brien'@'%' IDENTIFIED BY '<redacted>' -- `db` 42"#)
        #expect(statement.containsSecret)
        #expect(statement.description == statement.redacted)
        #expect(!"\(statement)".contains("s3cr"))
        #expect(!String(reflecting: statement).contains("s3cr"))
        var dumped = ""
        dump(statement, to: &dumped)
        #expect(!dumped.contains("s3cr"))
    }

    @Test("a server message quoting the statement back is scrubbed")
    func scrubbing() {
        let statement: SQLStatement = "CHANGE MASTER TO MASTER_PASSWORD = \(secret: "pa'ss")"
        let message = #"You have an error in your SQL syntax near 'pa\'ss' at line 1 (pa'ss)"#
        #expect(statement.scrub(message) == "You have an error in your SQL syntax near '<redacted>' at line 1 (<redacted>)")
        let plain: SQLStatement = "SELECT 1"
        #expect(!plain.containsSecret)
        #expect(plain.scrub("unchanged") == "unchanged")
    }

    @Test("joined fragments keep their redaction")
    func joining() {
        let joined = SQLStatement.joined(["A = \(literal: "x")", "B = \(secret: "y")"], separator: ", ")
        #expect(joined.sql == "A = 'x', B = 'y'")
        #expect(joined.redacted == "A = 'x', B = '<redacted>'")
        #expect(joined.scrub("saw y") == "saw <redacted>")
    }
}
