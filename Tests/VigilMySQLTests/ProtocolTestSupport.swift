import NIOCore
@testable import VigilMySQL

/// Builds server-side packets for byte-level tests of the client state machine.
struct FakeServer {
    var sequence: UInt8 = 0

    mutating func packet(_ payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        defer { sequence &+= 1 }
        return [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), sequence] + payload
    }

    static let nonce: [UInt8] = Array("abcdefghijklmnopqrst".utf8)

    static func greeting(plugin: String = "mysql_native_password", capabilities: UInt32 = 0xFFFF | (0x81BF << 16),
                         version: String = "10.11.6-MariaDB") -> [UInt8] {
        var p: [UInt8] = [10]
        p += Array(version.utf8) + [0]
        p += [7, 0, 0, 0]                       // connection id 7
        p += Array(nonce[0..<8]) + [0]
        p += [UInt8(capabilities & 0xFF), UInt8((capabilities >> 8) & 0xFF)]
        p += [45]                               // charset
        p += [2, 0]                             // status: autocommit
        p += [UInt8((capabilities >> 16) & 0xFF), UInt8((capabilities >> 24) & 0xFF)]
        p += [21]                               // auth data length
        p += [UInt8](repeating: 0, count: 10)
        p += Array(nonce[8..<20]) + [0]
        p += Array(plugin.utf8) + [0]
        return p
    }

    static func ok(affected: UInt8 = 0, lastID: UInt8 = 0, status: UInt16 = 2, header: UInt8 = 0) -> [UInt8] {
        [header, affected, lastID, UInt8(status & 0xFF), UInt8(status >> 8), 0, 0]
    }

    static func err(code: UInt16, state: String = "28000", message: String) -> [UInt8] {
        [0xFF, UInt8(code & 0xFF), UInt8(code >> 8)] + Array("#\(state)".utf8) + Array(message.utf8)
    }

    static func lenenc(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }

    static func column(_ name: String, type: UInt8 = 253, flags: UInt16 = 0, charset: UInt16 = 45) -> [UInt8] {
        var p = lenenc("def") + lenenc("db") + lenenc("t") + lenenc("t") + lenenc(name) + lenenc(name)
        p += [0x0C, UInt8(charset & 0xFF), UInt8(charset >> 8), 255, 0, 0, 0, type, UInt8(flags & 0xFF), UInt8(flags >> 8), 0, 0, 0]
        return p
    }

    static func eof(status: UInt16 = 2) -> [UInt8] { [0xFE, 0, 0, UInt8(status & 0xFF), UInt8(status >> 8)] }
}

func settings(password: String = "secret", tls: MySQLTLSMode = .disable, deprecateEOF: Bool = true,
              database: String? = nil) -> ConnectionSettings {
    ConnectionSettings(user: "app", password: password, database: database, tls: tls, isUnixSocket: false,
                       serverPublicKeyPEM: nil, maxPacketSize: 1 << 26, useDeprecateEOF: deprecateEOF)
}

extension ConnectionStateMachine {
    /// Feeds bytes and pulls every action they cause, as the channel handler does.
    mutating func feed(_ bytes: [UInt8]) -> [Action] {
        var buf = ByteBuffer(bytes: bytes)
        bytesReceived(&buf)
        var actions: [Action] = []
        while let action = nextAction() { actions.append(action) }
        return actions
    }
}

extension ConnectionStateMachine.Action {
    var written: [UInt8]? {
        switch self {
        case .write(let b), .writeAndStartTLS(let b), .writeAndClose(let b): return Array(buffer: b)
        default: return nil
        }
    }
    var fatalError: MySQLError? { if case .fatal(let e) = self { return e } else { return nil } }
    var results: [MySQLResult]? {
        if case .commandCompleted(.results(let first, let more)) = self { return [first] + more } else { return nil }
    }
    var isConnected: Bool { if case .connected = self { return true } else { return false } }
}

/// A machine that has completed the handshake with FakeServer (native password, no TLS).
func connectedMachine(deprecateEOF: Bool = true) -> ConnectionStateMachine {
    var m = ConnectionStateMachine(settings: settings(deprecateEOF: deprecateEOF))
    var server = FakeServer()
    _ = m.feed(server.packet(FakeServer.greeting()))
    server.sequence = 2
    let actions = m.feed(server.packet(FakeServer.ok()))
    precondition(actions.contains { $0.isConnected })
    return m
}
