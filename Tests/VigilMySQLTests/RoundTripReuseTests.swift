import NIOCore
import Testing
@testable import VigilMySQL

/// What the round-trip path reuses between commands (the outgoing buffer, column definitions)
/// must never leak one command's bytes or columns into another.
@Suite struct RoundTripReuseTests {
    /// Runs one single-column query on `m` and returns its result.
    func run(_ m: inout ConnectionStateMachine, _ sql: String, column: [UInt8], cell: String) throws -> MySQLResult {
        _ = m.send(.query(sql))
        var server = FakeServer(sequence: 1)
        let bytes = server.packet([1]) + server.packet(column) + server.packet(FakeServer.lenenc(cell))
            + server.packet(FakeServer.ok(header: 0xFE))
        return try #require(m.feed(bytes).first?.results?.first)
    }

    @Test func aPacketStillHeldIsNotOverwrittenByTheNext() throws {
        var m = connectedMachine()
        let first = m.send(.query("SELECT 1"))
        var server = FakeServer(sequence: 1)
        _ = m.feed(server.packet(FakeServer.ok()))
        // `first` still holds its buffer (as NIO does until it is written): the next command
        // must get storage of its own.
        let second = m.send(.query("SELECT 22"))
        #expect(first.written == [9, 0, 0, 0, 3] + Array("SELECT 1".utf8))
        #expect(second.written == [10, 0, 0, 0, 3] + Array("SELECT 22".utf8))
    }

    @Test func repeatedDefinitionsAreReusedAndChangedOnesDecoded() throws {
        var m = connectedMachine()
        let a = try run(&m, "SELECT 1 AS a", column: FakeServer.column("a", type: 8), cell: "1")
        let again = try run(&m, "SELECT 2 AS a", column: FakeServer.column("a", type: 8), cell: "2")
        #expect(again.columns == a.columns)
        #expect(again.rows[0]["a"] == .int(2))
        // Same length, other name: decoded afresh, not taken from the cache.
        let b = try run(&m, "SELECT 'x' AS b", column: FakeServer.column("b"), cell: "x")
        #expect(b.columns.map(\.name) == ["b"])
        #expect(b.rows[0]["b"] == .string("x"))
        #expect(a.columns.map(\.name) == ["a"])
    }

    @Test func aLongerResultAfterACachedOneGetsAllItsColumns() throws {
        var m = connectedMachine()
        _ = try run(&m, "SELECT 1 AS a", column: FakeServer.column("a", type: 8), cell: "1")
        _ = m.send(.query("SELECT 1 AS a, 2 AS c"))
        var server = FakeServer(sequence: 1)
        var bytes = server.packet([2]) + server.packet(FakeServer.column("a", type: 8))
        bytes += server.packet(FakeServer.column("c", type: 8))
        bytes += server.packet(FakeServer.lenenc("1") + FakeServer.lenenc("2")) + server.packet(FakeServer.ok(header: 0xFE))
        let r = try #require(m.feed(bytes).first?.results?.first)
        #expect(r.columns.map(\.name) == ["a", "c"])
        #expect(r.rows[0]["c"] == .int(2))
        // And a shorter one after the longer one.
        let short = try run(&m, "SELECT 3 AS a", column: FakeServer.column("a", type: 8), cell: "3")
        #expect(short.columns.map(\.name) == ["a"])
        #expect(short.rows[0][0] == .int(3))
    }

    @Test func theNextCommandIsSentBeforeLaterBytesAreRead() throws {
        // The handler performs each action before pulling the next, so a reply is never read
        // in the idle state that preceded its command.
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1"))
        var first = FakeServer(sequence: 1)
        var second = FakeServer(sequence: 1)
        var buf = ByteBuffer(bytes: first.packet(FakeServer.ok()) + second.packet(FakeServer.ok(affected: 5)))
        m.bytesReceived(&buf)
        let completed = m.nextAction()
        guard case .commandCompleted = completed else {
            Issue.record("expected the first command to complete")
            return
        }
        _ = m.send(.query("INSERT INTO t VALUES (1)"))
        let inserted = m.nextAction()
        #expect(inserted?.results?.first?.affectedRows == 5)
        let rest = m.nextAction()
        #expect(rest == nil)
    }
}
