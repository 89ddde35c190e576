import NIOCore
import Testing
@testable import VigilMySQL

@Suite struct HandshakeTests {
    @Test func greetingDecodesVersionNonceAndPlugin() throws {
        var server = FakeServer()
        let bytes = server.packet(FakeServer.greeting(plugin: "caching_sha2_password"))
        var framer = PacketFramer(maxPacketSize: 1 << 20)
        var buf = ByteBuffer(bytes: bytes)
        framer.append(&buf)
        let payload = try #require(try framer.nextPayload())
        let g = try ServerGreeting.decode(payload)
        #expect(g.serverVersion == "10.11.6-MariaDB")
        #expect(g.connectionID == 7)
        #expect(g.authPluginData == FakeServer.nonce)
        #expect(g.authPluginName == "caching_sha2_password")
        #expect(g.capabilities.contains(.protocol41))
    }

    @Test func nativePasswordHandshakeResponseBytes() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        let actions = m.feed(server.packet(FakeServer.greeting()))
        let out = try #require(actions.first?.written)
        // Header: length, sequence id 1.
        #expect(Int(out[0]) | Int(out[1]) << 8 | Int(out[2]) << 16 == out.count - 4)
        #expect(out[3] == 1)
        var body = ByteBuffer(bytes: out[4...])
        let caps = CapabilityFlags(rawValue: body.readInteger(endianness: .little)!)
        #expect(caps.contains(.protocol41) && caps.contains(.pluginAuth) && !caps.contains(.ssl))
        #expect(body.readInteger(endianness: .little, as: UInt32.self) == 1 << 26)
        #expect(body.readInteger(as: UInt8.self) == 45)
        body.moveReaderIndex(forwardBy: 23)
        #expect(body.readNullTerminatedString() == "app")
        let scramble = body.readLengthEncodedBytes().map { Array(buffer: $0) }
        #expect(scramble == AuthScramble.nativePassword(password: Array("secret".utf8), nonce: FakeServer.nonce))
        #expect(body.readNullTerminatedString() == "mysql_native_password")
    }

    @Test func nativePasswordScrambleMatchesKnownVector() {
        // Computed independently with Python's hashlib: sha1(pw) XOR sha1(nonce + sha1(sha1(pw))).
        let s = AuthScramble.nativePassword(password: Array("secret".utf8), nonce: FakeServer.nonce)
        #expect(AuthScramble.nativePassword(password: [], nonce: FakeServer.nonce).isEmpty)
        #expect(s.map { String(format2: $0) }.joined() == "8817c50fa779daef010ee7577825b0847df9842e")
    }

    @Test func okAfterResponseConnects() {
        let m = connectedMachine()
        #expect(m.isReady)
    }

    @Test func wrongPasswordIsAccessDenied() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting()))
        server.sequence = 2
        let actions = m.feed(server.packet(FakeServer.err(code: 1045, message: "Access denied for user 'app'")))
        guard case .accessDenied(let e) = try #require(actions.first?.fatalError) else {
            Issue.record("expected accessDenied, got \(actions)")
            return
        }
        #expect(e.code == 1045 && e.sqlState == "28000")
    }

    @Test func lockedAccountIsTyped() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting()))
        server.sequence = 2
        let actions = m.feed(server.packet(FakeServer.err(code: 4151, state: "HY000", message: "Access denied, this account is locked")))
        guard case .accountLocked = try #require(actions.first?.fatalError) else {
            Issue.record("expected accountLocked, got \(actions)")
            return
        }
    }

    @Test func authSwitchToUnknownPluginIsNamed() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting()))
        server.sequence = 2
        let actions = m.feed(server.packet([0xFE] + Array("auth_gssapi_client".utf8) + [0] + [1, 2, 3]))
        #expect(actions.first?.fatalError == .unsupportedAuthPlugin("auth_gssapi_client"))
    }

    @Test func authSwitchToNativePasswordAnswersWithNewNonce() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting(plugin: "caching_sha2_password")))
        server.sequence = 2
        let newNonce = Array("ZYXWVUTSRQPONMLKJIHG".utf8)
        let actions = m.feed(server.packet([0xFE] + Array("mysql_native_password".utf8) + [0] + newNonce + [0]))
        let out = try #require(actions.first?.written)
        #expect(out[3] == 3)
        #expect(Array(out[4...]) == AuthScramble.nativePassword(password: Array("secret".utf8), nonce: newNonce))
    }

    @Test func cachingSha2FastPathThenOK() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        let first = m.feed(server.packet(FakeServer.greeting(plugin: "caching_sha2_password")))
        let out = try #require(first.first?.written)
        let pluginName = Array("caching_sha2_password".utf8) + [0]
        #expect(out.indices.contains { out[$0...].starts(with: pluginName) })
        server.sequence = 2
        #expect(m.feed(server.packet([0x01, 0x03])).isEmpty)
        #expect(m.feed(server.packet(FakeServer.ok())).contains { $0.isConnected })
    }

    @Test func cachingSha2FullPathOverPlainTCPRequestsPublicKey() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting(plugin: "caching_sha2_password")))
        server.sequence = 2
        let actions = m.feed(server.packet([0x01, 0x04]))
        // Never the cleartext password on plain TCP: ask for the key (0x02).
        #expect(actions.first?.written == [1, 0, 0, 3, 0x02])
    }

    @Test func cachingSha2FullPathOverUnixSocketSendsPassword() throws {
        var s = settings()
        s.isUnixSocket = true
        var m = ConnectionStateMachine(settings: s)
        var server = FakeServer()
        _ = m.feed(server.packet(FakeServer.greeting(plugin: "caching_sha2_password")))
        server.sequence = 2
        let actions = m.feed(server.packet([0x01, 0x04]))
        #expect(actions.first?.written == [7, 0, 0, 3] + Array("secret".utf8) + [0])
    }

    @Test func cachingSha2ScrambleMatchesDefinition() {
        let pw = Array("secret".utf8)
        // hashlib: sha256(pw) XOR sha256(sha256(sha256(pw)) + nonce).
        let s = AuthScramble.cachingSha2(password: pw, nonce: FakeServer.nonce)
        #expect(s.map { String(format2: $0) }.joined() == "c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809")
        #expect(AuthScramble.cachingSha2(password: [], nonce: FakeServer.nonce).isEmpty)
    }

    @Test func tlsRequiredButNotOfferedFails() throws {
        var m = ConnectionStateMachine(settings: settings(tls: .require))
        var server = FakeServer()
        let caps: UInt32 = (0xFFFF & ~UInt32(0x0800)) | (0x81BF << 16)
        let actions = m.feed(server.packet(FakeServer.greeting(capabilities: caps)))
        guard case .tls = try #require(actions.first?.fatalError) else {
            Issue.record("expected a TLS error, got \(actions)")
            return
        }
    }

    @Test func tlsSendsSSLRequestThenResponseWithNextSequence() throws {
        var m = ConnectionStateMachine(settings: settings(tls: .require))
        var server = FakeServer()
        let actions = m.feed(server.packet(FakeServer.greeting()))
        guard case .writeAndStartTLS(let req) = try #require(actions.first) else {
            Issue.record("expected SSL request")
            return
        }
        #expect(req.readableBytes == 4 + 32)
        #expect(Array(buffer: req)[3] == 1)
        let after = m.tlsEstablished()
        let out = try #require(after.written)
        #expect(out[3] == 2)
        let caps = UInt32(out[4]) | UInt32(out[5]) << 8 | UInt32(out[6]) << 16 | UInt32(out[7]) << 24
        #expect(caps & CapabilityFlags.ssl.rawValue != 0)
    }

    @Test func serverRefusalBeforeHandshakeIsServerError() throws {
        var m = ConnectionStateMachine(settings: settings())
        var server = FakeServer()
        let actions = m.feed(server.packet(FakeServer.err(code: 1040, state: "08004", message: "Too many connections")))
        #expect(actions.first?.fatalError?.serverError?.code == 1040)
    }
}

extension String {
    init(format2 byte: UInt8) {
        let s = String(byte, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}
