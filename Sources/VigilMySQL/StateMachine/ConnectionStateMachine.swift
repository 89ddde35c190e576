import NIOCore

/// The whole client protocol as a value type: bytes and events in, actions out. The transport
/// (`CommandPump` over NIO or a `DirectLoop`) only performs the actions, so every byte can be
/// tested without a socket. One action per call (the pump pulls them with `nextAction()`): no
/// array per event on the round-trip path.
struct ConnectionStateMachine {
    enum Action: Sendable {
        /// Framed bytes to send.
        case write(ByteBuffer)
        /// Send these bytes in the clear, then start the TLS handshake.
        case writeAndStartTLS(ByteBuffer)
        /// Send these bytes (COM_QUIT), then close.
        case writeAndClose(ByteBuffer)
        case connected(SessionInfo)
        case commandCompleted(CommandOutcome)
        /// The command failed but the connection is still usable.
        case commandFailed(MySQLError)
        /// The connection is unusable: fail everything and close.
        case fatal(MySQLError)
    }

    private enum State {
        case awaitingGreeting
        case awaitingTLS(ServerGreeting)
        case authenticating(AuthContext)
        case ready
        case running
        case pinging
        case closed
    }

    private struct AuthContext {
        var plugin: AuthPlugin?
        var pluginName: String
        var nonce: [UInt8]
        var awaitingPublicKey = false
    }

    private var state: State = .awaitingGreeting
    /// Kept outside `state` so appending rows never copies the enum payload.
    private var accumulator = ResultAccumulator()
    private var columnCache = ColumnDefinitionCache()
    private var framer: PacketFramer
    private let settings: ConnectionSettings
    private(set) var capabilities: CapabilityFlags = []
    private var isTLS = false
    private var greeting: ServerGreeting?
    /// Reused for every small command: once the transport has written a packet it drops its reference,
    /// so clearing finds the storage unshared and the next packet needs no allocation.
    private var outbound = ByteBuffer()
    private static let reusedOutboundLimit = 16 * 1024

    init(settings: ConnectionSettings) {
        self.settings = settings
        self.framer = PacketFramer(maxPacketSize: settings.maxPacketSize)
    }

    var isReady: Bool { if case .ready = state { return true } else { return false } }
    var isClosed: Bool { if case .closed = state { return true } else { return false } }

    // MARK: events

    /// Buffers bytes from the socket; `nextAction()` then works through them.
    mutating func bytesReceived(_ bytes: inout ByteBuffer) {
        if case .closed = state { return }
        framer.append(&bytes)
    }

    /// Handles buffered packets until one calls for an action; nil when more bytes are needed.
    /// The handler performs each action (which may send the next command) before pulling
    /// the next, so packets are always read in the state the previous ones left.
    mutating func nextAction() -> Action? {
        do {
            while !isClosed, let (payload, first) = try framer.nextPacket() {
                if let action = try handle(payload, first: first) { return action }
            }
        } catch {
            state = .closed
            return .fatal(error)
        }
        return nil
    }

    mutating func tlsEstablished() -> Action {
        guard case .awaitingTLS(let greeting) = state else {
            state = .closed
            return .fatal(.protocolViolation("TLS established in an unexpected state"))
        }
        isTLS = true
        do {
            return .write(try handshakeResponse(greeting))
        } catch {
            state = .closed
            return .fatal(error)
        }
    }

    mutating func send(_ command: ClientCommand) -> Action {
        guard case .ready = state else {
            return .commandFailed(.usage("the connection is not ready for a command"))
        }
        framer.resetSequence()
        switch command {
        case .query(let sql):
            let length = sql.utf8.count + 1
            guard length <= settings.maxPacketSize else {
                return .commandFailed(.usage("statement of \(length) bytes exceeds the packet limit"))
            }
            state = .running  // the accumulator is empty: every way out of .running leaves it so
            if length + 4 <= Self.reusedOutboundLimit {
                // The common case: one small packet, framed in place in the reused buffer.
                outbound.clear()
                Self.writeQueryPacket(sql, length: length, into: &outbound)
                framer.skipSequence()
                return .write(outbound)
            }
            if length < PacketFramer.maxChunk {
                // Still one packet: framed in place in a buffer of its own (not kept).
                var out = ByteBuffer()
                Self.writeQueryPacket(sql, length: length, into: &out)
                framer.skipSequence()
                return .write(out)
            }
            var payload = ByteBuffer()
            payload.reserveCapacity(length)
            payload.writeInteger(CommandByte.query.rawValue)
            payload.writeString(sql)
            return .write(frame(payload))
        case .ping:
            state = .pinging
            return .write(frame(ByteBuffer(integer: CommandByte.ping.rawValue)))
        case .quit:
            state = .closed
            return .writeAndClose(frame(ByteBuffer(integer: CommandByte.quit.rawValue)))
        }
    }

    /// Header (sequence id 0), COM_QUERY and the statement, with one write into `out`.
    private static func writeQueryPacket(_ sql: String, length: Int, into out: inout ByteBuffer) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: length + 4) { raw in
            raw.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self)
            raw[4] = CommandByte.query.rawValue
            var sql = sql
            return sql.withUTF8 { utf8 in
                UnsafeMutableRawBufferPointer(rebasing: raw[5..<(length + 4)]).copyMemory(from: UnsafeRawBufferPointer(utf8))
                return length + 4
            }
        }
    }

    /// The socket closed or broke; returns the error pending work should see.
    mutating func connectionLost() {
        state = .closed
    }

    // MARK: packets

    private mutating func handle(_ payload: ByteBuffer, first: UInt8?) throws(MySQLError) -> Action? {
        switch state {
        case .awaitingGreeting:
            let greeting = try ServerGreeting.decode(payload)
            return try receivedGreeting(greeting)
        case .awaitingTLS:
            throw .protocolViolation("server sent data before the TLS handshake")
        case .authenticating(var auth):
            return try handleAuth(payload, &auth)
        case .ready:
            if first == 0xFF {
                // Servers send an unsolicited ERR just before they drop an idle or killed session.
                throw .connectionClosed(ServerErrorPacket.decode(payload).description)
            }
            throw .protocolViolation("unexpected packet while idle")
        case .running:
            return try handleResult(payload, header: first ?? 0)
        case .pinging:
            switch first {
            case 0x00:
                becomeReady()
                return .commandCompleted(.done)
            case 0xFF:
                becomeReady()
                return .commandFailed(.server(ServerErrorPacket.decode(payload)))
            default:
                throw .protocolViolation("unexpected reply to COM_PING")
            }
        case .closed:
            return nil
        }
    }

    private mutating func receivedGreeting(_ g: ServerGreeting) throws(MySQLError) -> Action {
        guard g.capabilities.contains(.protocol41) else {
            throw .protocolViolation("server does not speak protocol 4.1")
        }
        greeting = g
        let useTLS: Bool
        switch settings.tls {
        case .disable: useTLS = false
        case .prefer: useTLS = g.capabilities.contains(.ssl) && !settings.isUnixSocket
        case .require, .verifyCA, .verifyFull:
            guard g.capabilities.contains(.ssl) else {
                throw .tls("TLS is required (mode \(settings.tls)) but the server does not offer it")
            }
            useTLS = true
        }
        capabilities = negotiatedCapabilities(server: g.capabilities, tls: useTLS)
        if useTLS {
            let request = SSLRequestPacket.encode(capabilities: capabilities, maxPacketSize: clientMaxPacket,
                                                  characterSet: settings.characterSet)
            state = .awaitingTLS(g)
            return .writeAndStartTLS(frame(request))
        }
        return .write(try handshakeResponse(g))
    }

    private var clientMaxPacket: UInt32 { UInt32(clamping: settings.maxPacketSize) }

    private func negotiatedCapabilities(server: CapabilityFlags, tls: Bool) -> CapabilityFlags {
        var client = CapabilityFlags.clientDefault
        if !settings.useDeprecateEOF { client.remove(.deprecateEOF) }
        if settings.database != nil { client.insert(.connectWithDB) }
        if tls { client.insert(.ssl) }
        return client.intersection(server.union(.longPassword))
    }

    private var secureTransport: Bool { isTLS || settings.isUnixSocket }

    private mutating func handshakeResponse(_ g: ServerGreeting) throws(MySQLError) -> ByteBuffer {
        // Answer in the server's default plugin when we know it; otherwise offer native
        // password and let the server switch us to what the account really uses.
        var plugin = AuthPlugin(rawValue: g.authPluginName) ?? .nativePassword
        if plugin == .clearPassword && !secureTransport { plugin = .nativePassword }
        let nonce = g.authPluginData
        let response = try plugin.initialResponse(password: settings.password, nonce: nonce,
                                                  secureTransport: secureTransport)
        state = .authenticating(AuthContext(plugin: plugin, pluginName: plugin.rawValue, nonce: nonce))
        let packet = HandshakeResponsePacket(
            capabilities: capabilities, maxPacketSize: clientMaxPacket, characterSet: settings.characterSet,
            user: settings.user, authResponse: response, database: settings.database,
            authPluginName: plugin.rawValue,
            attributes: [("_client_name", "vigil"), ("program_name", settings.programName)])
        return frame(packet.encode())
    }

    private mutating func handleAuth(_ payload: ByteBuffer, _ auth: inout AuthContext) throws(MySQLError) -> Action? {
        var buf = payload
        guard let header = buf.readInteger(as: UInt8.self) else { throw .protocolViolation("empty auth packet") }
        switch header {
        case 0x00:
            _ = try OKPacket.decode(payload, capabilities: capabilities)
            becomeReady()
            return .connected(SessionInfo(serverVersion: greeting?.serverVersion ?? "",
                                          connectionID: greeting?.connectionID ?? 0,
                                          isTLS: isTLS, authPlugin: auth.pluginName))
        case 0xFF:
            throw Self.authError(ServerErrorPacket.decode(payload))
        case 0xFE:
            // Auth switch: the account uses another plugin, with a fresh nonce.
            guard let name = buf.readNullTerminatedString() else {
                throw .unsupportedAuthPlugin("mysql_old_password")
            }
            // Used as sent: the password plugins read the first 20 bytes (a NUL follows them),
            // while ed25519 signs all 32 bytes, any of which may be zero.
            let data = Array(buffer: buf)
            guard let plugin = AuthPlugin(rawValue: name) else { throw .unsupportedAuthPlugin(name) }
            auth = AuthContext(plugin: plugin, pluginName: name, nonce: data)
            let response = try plugin.initialResponse(password: settings.password, nonce: data,
                                                      secureTransport: secureTransport)
            state = .authenticating(auth)
            return .write(frame(ByteBuffer(bytes: response)))
        case 0x01:
            guard auth.plugin == .cachingSha2 else {
                throw .protocolViolation("unexpected AuthMoreData for \(auth.pluginName)")
            }
            if auth.awaitingPublicKey {
                let pem = buf.readRemainingString()
                auth.awaitingPublicKey = false
                state = .authenticating(auth)
                let encrypted = try AuthScramble.rsaEncryptedPassword(
                    password: Array(settings.password.utf8), nonce: auth.nonce, publicKeyPEM: pem)
                return .write(frame(ByteBuffer(bytes: encrypted)))
            }
            switch buf.readInteger(as: UInt8.self) {
            case 0x03:
                state = .authenticating(auth)  // fast path succeeded; an OK follows
                return nil
            case 0x04:
                let reply: [UInt8]
                if secureTransport {
                    reply = Array(settings.password.utf8) + [0]
                } else if let pem = settings.serverPublicKeyPEM {
                    reply = try AuthScramble.rsaEncryptedPassword(
                        password: Array(settings.password.utf8), nonce: auth.nonce, publicKeyPEM: pem)
                } else {
                    auth.awaitingPublicKey = true
                    reply = [0x02]  // request the server's public key
                }
                state = .authenticating(auth)
                return .write(frame(ByteBuffer(bytes: reply)))
            default:
                throw .protocolViolation("unknown caching_sha2_password state")
            }
        default:
            throw .protocolViolation("unexpected packet 0x\(String(header, radix: 16)) during authentication")
        }
    }

    static func authError(_ e: MySQLServerError) -> MySQLError {
        switch e.code {
        case 1045, 1044, 1698: return .accessDenied(e)
        case 3118, 4151: return .accountLocked(e)
        default: return .server(e)
        }
    }

    private mutating func handleResult(_ payload: ByteBuffer, header: UInt8) throws(MySQLError) -> Action? {
        switch accumulator.phase {
        case .first:
            switch header {
            case 0x00:
                let ok = try OKPacket.decode(payload, capabilities: capabilities)
                accumulator.append(MySQLResult(affectedRows: ok.affectedRows, lastInsertID: ok.lastInsertID,
                                               warnings: ok.warnings, statusFlags: ok.statusFlags, info: ok.info,
                                               sessionStateChanges: ok.sessionStateChanges))
                return finishIfLast(ok.statusFlags)
            case 0xFF:
                becomeReady()
                accumulator = ResultAccumulator()  // drops earlier results of a multi-statement query
                return .commandFailed(.server(ServerErrorPacket.decode(payload)))
            case 0xFB:
                throw .protocolViolation("server requested LOCAL INFILE, which this client never enables")
            default:
                var buf = payload
                guard let count = buf.readLengthEncodedInteger(), count > 0, count <= 4096, buf.readableBytes == 0
                else { throw .protocolViolation("invalid column count") }
                accumulator.phase = .columns(next: 0, count: Int(count))
            }
        case .columns(let next, let count):
            try accumulator.appendColumn(payload, index: next, count: count, cache: &columnCache)
            if next + 1 < count {
                accumulator.phase = .columns(next: next + 1, count: count)
            } else {
                accumulator.phase = capabilities.contains(.deprecateEOF) ? .rows : .columnsEOF
            }
        case .columnsEOF:
            guard EOFPacket.isEOF(payload) else { throw .protocolViolation("expected EOF after column definitions") }
            accumulator.phase = .rows
        case .rows:
            if header == 0xFF {
                becomeReady()
                accumulator = ResultAccumulator()  // drops the partial result set
                return .commandFailed(.server(ServerErrorPacket.decode(payload)))
            }
            let deprecateEOF = capabilities.contains(.deprecateEOF)
            if header == 0xFE && (deprecateEOF ? payload.readableBytes < PacketFramer.maxChunk : payload.readableBytes < 9) {
                let status: UInt16
                if deprecateEOF {
                    let ok = try OKPacket.decode(payload, capabilities: capabilities)
                    accumulator.finishResultSet(warnings: ok.warnings, statusFlags: ok.statusFlags, affectedRows: ok.affectedRows,
                                        info: ok.info, sessionState: ok.sessionStateChanges)
                    status = ok.statusFlags
                } else {
                    let eof = EOFPacket.decode(payload)
                    accumulator.finishResultSet(warnings: eof.warnings, statusFlags: eof.statusFlags)
                    status = eof.statusFlags
                }
                return finishIfLast(status)
            }
            try accumulator.appendRow(payload)
        }
        return nil
    }

    private mutating func becomeReady() {
        state = .ready
        framer.checksSequence = false
    }

    private mutating func finishIfLast(_ status: UInt16) -> Action? {
        guard status & MySQLStatusFlags.moreResultsExist == 0 else { return nil }
        becomeReady()
        return .commandCompleted(accumulator.takeOutcome())
    }

    private mutating func frame(_ payload: ByteBuffer) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(payload.readableBytes + 4)
        framer.frame(payload, into: &out)
        return out
    }
}
