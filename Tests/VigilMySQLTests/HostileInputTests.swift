import NIOCore
import PropertyBased
import Testing
@testable import VigilMySQL

/// A misbehaving server must produce a typed error or a request for more bytes — never a
/// crash, a hang or an allocation driven by a length field.
@Suite struct HostileInputTests {
    @Test func randomBytesDuringHandshakeNeverCrash() async {
        await propertyCheck(count: 2000, input: byteGen.array(of: 0...300)) { bytes in
            var m = ConnectionStateMachine(settings: settings())
            let actions = m.feed(bytes)
            for a in actions {
                if case .connected = a { Issue.record("random bytes authenticated: \(bytes)") }
            }
        }
    }

    @Test func randomPacketsDuringResultNeverCrash() async {
        // One random byte string cut into 1…6 well-framed packets.
        await propertyCheck(count: 2000, input: byteGen.array(of: 0...600), Gen.int(in: 1...6)) { raw, parts in
            var m = connectedMachine()
            _ = m.send(.query("SELECT 1"))
            var server = FakeServer(sequence: 1)
            var bytes: [UInt8] = []
            let size = max(1, raw.count / parts)
            for start in stride(from: 0, to: max(raw.count, 1), by: size) {
                bytes += server.packet(Array(raw[min(start, raw.count)..<min(start + size, raw.count)]))
            }
            _ = m.feed(bytes)
        }
    }

    @Test func randomGreetingMutationsNeverCrash() async {
        let greeting = FakeServer.greeting()
        await propertyCheck(count: 2000, input: Gen.int(in: 0...(greeting.count - 1)), byteGen, Gen.int(in: 1...greeting.count)) { index, value, cut in
            var g = greeting
            g[index] = value
            var m = ConnectionStateMachine(settings: settings())
            var server = FakeServer()
            _ = m.feed(server.packet(Array(g.prefix(cut))))
        }
    }

    @Test func truncatedPacketWaitsForMoreBytes() {
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1"))
        // Header promises 100 bytes; only 3 arrive: nothing happens yet, nothing is allocated for 100.
        #expect(m.feed([100, 0, 0, 1, 1, 2, 3]).isEmpty)
    }

    @Test func absurdLogicalLengthIsRejected() throws {
        var s = settings()
        s.maxPacketSize = 1024
        var m = ConnectionStateMachine(settings: s)
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting()))
        server.sequence = 2
        _ = m.feed(server.packet(FakeServer.ok()))
        _ = m.send(.query("SELECT 1"))
        // A 2 KiB packet against a 1 KiB limit.
        var server2 = FakeServer(sequence: 1)
        let actions = m.feed(server2.packet([UInt8](repeating: 1, count: 2048)))
        #expect(isProtocolViolation(actions.first?.fatalError))
    }

    @Test func cellLengthBeyondRowIsRejected() throws {
        var m = connectedMachine()
        _ = m.send(.query("SELECT 1"))
        var server = FakeServer(sequence: 1)
        var bytes = server.packet([1]) + server.packet(FakeServer.column("a"))
        bytes += server.packet([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2])
        #expect(isProtocolViolation(m.feed(bytes).first?.fatalError))
    }

    @Test func unsolicitedErrorWhileIdleClosesWithReason() throws {
        var m = connectedMachine()
        var server = FakeServer(sequence: 0)
        let actions = m.feed(server.packet(FakeServer.err(code: 1927, state: "70100", message: "Connection was killed")))
        guard case .connectionClosed(let why) = try #require(actions.first?.fatalError) else {
            Issue.record("expected connectionClosed")
            return
        }
        #expect(why.contains("killed"))
    }
}

func isProtocolViolation(_ error: MySQLError?) -> Bool {
    if case .protocolViolation = error { return true }
    return false
}

/// Random bytes. (Gen.uint8() trips an integer conversion inside swift-property-based 2.0.1.)
let byteGen = Gen.int(in: 0...255).map { UInt8($0) }
