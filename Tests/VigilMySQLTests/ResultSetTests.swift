import NIOCore
import Testing
@testable import VigilMySQL

@Suite struct ResultSetTests {
    /// Feeds a full text result set: 2 columns, rows, terminated per the EOF mode.
    func runQuery(deprecateEOF: Bool, rows: [[String?]], more: Bool = false) -> [ConnectionStateMachine.Action] {
        var m = connectedMachine(deprecateEOF: deprecateEOF)
        let sent = m.send(.query("SELECT id, name FROM t"))
        precondition(sent.written?[4] == 0x03)
        var server = FakeServer(sequence: 1)
        var bytes: [UInt8] = []
        bytes += server.packet([2])
        bytes += server.packet(FakeServer.column("id", type: 8, flags: 0x20))
        bytes += server.packet(FakeServer.column("name"))
        if !deprecateEOF { bytes += server.packet(FakeServer.eof()) }
        for row in rows {
            bytes += server.packet(row.flatMap { $0.map(FakeServer.lenenc) ?? [0xFB] })
        }
        bytes += server.packet(deprecateEOF ? FakeServer.ok(header: 0xFE) : FakeServer.eof())
        return m.feed(bytes)
    }

    @Test(arguments: [true, false]) func decodesRowsInBothEOFModes(deprecateEOF: Bool) throws {
        let actions = runQuery(deprecateEOF: deprecateEOF, rows: [["1", "alice"], ["18446744073709551615", nil]])
        let result = try #require(actions.first?.results?.first)
        #expect(result.columns.map(\.name) == ["id", "name"])
        #expect(result.rows.count == 2)
        #expect(result.rows[0][0] == .uint(1))
        #expect(result.rows[0]["NAME"] == .string("alice"))
        #expect(result.rows[1][0] == .uint(UInt64.max))
        #expect(result.rows[1][1] == .null)
    }

    @Test func byteAtATimeDeliveryGivesTheSameResult() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1"))
        var server = FakeServer(sequence: 1)
        var bytes = server.packet([1]) + server.packet(FakeServer.column("1", type: 8))
        bytes += server.packet(FakeServer.lenenc("1")) + server.packet(FakeServer.ok(header: 0xFE))
        var all: [ConnectionStateMachine.Action] = []
        for b in bytes { all += m.feed([b]) }
        #expect(all.count == 1)
        #expect(all.first?.results?.first?.rows.first?[0] == .int(1))
        #expect(m.isReady)
    }

    @Test func okPacketCarriesAffectedRowsAndInsertID() throws {
        var m = connectedMachine()
        _ = m.send(.query("INSERT INTO t VALUES (1)"))
        var server = FakeServer(sequence: 1)
        let actions = m.feed(server.packet([0x00, 3, 42, 2, 0, 1, 0]))
        let r = try #require(actions.first?.results?.first)
        #expect(r.affectedRows == 3 && r.lastInsertID == 42 && r.warnings == 1)
        #expect(!r.hasResultSet)
    }

    @Test func multipleResultsInOneResponse() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1; INSERT ...; SELECT 2"))
        var server = FakeServer(sequence: 1)
        let more = MySQLStatusFlags.moreResultsExist | 2
        var bytes = server.packet([1]) + server.packet(FakeServer.column("a", type: 8))
        bytes += server.packet(FakeServer.lenenc("1")) + server.packet(FakeServer.ok(status: more, header: 0xFE))
        bytes += server.packet(FakeServer.ok(affected: 1, status: more))
        bytes += server.packet([1]) + server.packet(FakeServer.column("b", type: 8))
        bytes += server.packet(FakeServer.lenenc("2")) + server.packet(FakeServer.ok(header: 0xFE))
        let results = try #require(m.feed(bytes).first?.results)
        #expect(results.count == 3)
        #expect(results[0].rows[0][0] == .int(1))
        #expect(results[1].affectedRows == 1)
        #expect(results[2].rows[0]["b"] == .int(2))
    }

    @Test func serverErrorKeepsConnectionUsable() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELEC 1"))
        var server = FakeServer(sequence: 1)
        let actions = m.feed(server.packet(FakeServer.err(code: 1064, state: "42000", message: "You have an error")))
        guard case .commandFailed(.server(let e)) = try #require(actions.first) else {
            Issue.record("expected a server error")
            return
        }
        #expect(e == MySQLServerError(code: 1064, sqlState: "42000", message: "You have an error"))
        #expect(m.isReady)
    }

    @Test func wrongSequenceIdIsFatal() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1"))
        var server = FakeServer(sequence: 5)
        let actions = m.feed(server.packet([1]))
        guard case .protocolViolation(let what) = try #require(actions.first?.fatalError) else {
            Issue.record("expected protocol violation")
            return
        }
        #expect(what.contains("sequence"))
    }

    @Test func multiPacketRowIsReassembled() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELECT big"))
        var server = FakeServer(sequence: 1)
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 0xFF_FFFF + 100)
        // A cell longer than 16 MiB has an 8-byte length prefix.
        var row: [UInt8] = [0xFE] + (0..<8).map { UInt8((big.count >> (8 * $0)) & 0xFF) } + big
        var bytes = server.packet([1]) + server.packet(FakeServer.column("big", type: 252, charset: 63))
        // Split the row payload into a full 16 MiB chunk and the rest.
        let first = Array(row[0..<0xFF_FFFF])
        row.removeFirst(0xFF_FFFF)
        bytes += server.packet(first) + server.packet(row)
        bytes += server.packet(FakeServer.ok(header: 0xFE))
        let result = try #require(m.feed(bytes).first?.results?.first)
        #expect(result.rows[0].rawBytes(at: 0)?.count == big.count)
        #expect(result.rows[0][0] == .bytes(big))
    }

    @Test func typedValuesDecode() {
        func col(_ t: MySQLColumnType, _ flags: UInt16 = 0, charset: UInt16 = 45) -> MySQLColumn {
            MySQLColumn(name: "c", characterSet: charset, type: t, flags: flags)
        }
        func d(_ s: String, _ c: MySQLColumn) -> MySQLValue { TextValueDecoder.decode(Array(s.utf8)[...], column: c) }
        #expect(d("-9223372036854775808", col(.longlong)) == .int(Int64.min))
        #expect(d("255", col(.tiny, 0x20)) == .uint(255))
        #expect(d("3.25", col(.double)) == .double(3.25))
        #expect(d("12345678901234567890.123", col(.newdecimal)) == .decimal("12345678901234567890.123"))
        #expect(d("2024-02-29", col(.date)) == .date(MySQLDate(year: 2024, month: 2, day: 29)))
        #expect(d("2024-02-29 13:14:15.5", col(.datetime)) ==
                .datetime(MySQLDateTime(date: MySQLDate(year: 2024, month: 2, day: 29), hour: 13, minute: 14, second: 15, microsecond: 500_000)))
        #expect(d("-838:59:59", col(.time)) == .time(MySQLTime(isNegative: true, hours: 838, minutes: 59, seconds: 59)))
        #expect(d("0000-00-00", col(.date)) == .date(MySQLDate(year: 0, month: 0, day: 0)))
        #expect(d("ab", col(.blob, charset: 63)) == .bytes([97, 98]))
        #expect(d("héllo", col(.varString)) == .string("héllo"))
        #expect(d("not a number", col(.long)) == .string("not a number"))
    }

    @Test func pingGetsOK() throws {
        var m = connectedMachine()
        let sent = m.send(.ping)
        #expect(sent.written == [1, 0, 0, 0, 0x0E])
        var server = FakeServer(sequence: 1)
        guard case .commandCompleted(.done) = try #require(m.feed(server.packet(FakeServer.ok())).first) else {
            Issue.record("expected ping ok")
            return
        }
    }

    @Test func quitWritesAndCloses() throws {
        var m = connectedMachine()
        let action = m.send(.quit)
        guard case .writeAndClose = action else {
            Issue.record("expected write and close")
            return
        }
        #expect(action.written == [1, 0, 0, 0, 0x01])
    }
}


@Suite struct SessionStateTests {
    @Test func systemVariableEntriesAreParsedAndOthersSkipped() {
        func lenenc(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }
        let variable = lenenc("last_gtid") + lenenc("0-1-42")
        let schema = lenenc("app")
        let block = [UInt8(0)] + [UInt8(variable.count)] + variable + [UInt8(1)] + [UInt8(schema.count)] + schema
        var result = MySQLResult()
        result.sessionStateChanges = block
        #expect(result.trackedSystemVariables == ["last_gtid": "0-1-42"])
        result.sessionStateChanges = Array(block.prefix(5))  // truncated: nothing, no crash
        #expect(result.trackedSystemVariables.isEmpty)
    }
}
