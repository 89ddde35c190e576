import NIOCore

/// Protocol::HandshakeV10, the server's greeting.
struct ServerGreeting: Equatable {
    var protocolVersion: UInt8
    var serverVersion: String
    var connectionID: UInt32
    var capabilities: CapabilityFlags
    var characterSet: UInt8
    var statusFlags: UInt16
    /// The 20-byte nonce ("scramble") used by the password plugins.
    var authPluginData: [UInt8]
    var authPluginName: String

    static func decode(_ payload: ByteBuffer) throws(MySQLError) -> ServerGreeting {
        var buf = payload
        guard let version = buf.readInteger(as: UInt8.self) else { throw .protocolViolation("empty greeting") }
        if version == 0xFF {
            // The server refused us before the handshake (e.g. too many connections, host blocked).
            throw .server(ServerErrorPacket.decode(payload, protocol41: false))
        }
        guard version == 10 else { throw .protocolViolation("unsupported handshake protocol version \(version)") }
        guard let serverVersion = buf.readNullTerminatedString(),
              let connectionID = buf.readInteger(endianness: .little, as: UInt32.self),
              let part1 = buf.readBytes(length: 8),
              buf.readInteger(as: UInt8.self) != nil,
              let capLow = buf.readInteger(endianness: .little, as: UInt16.self)
        else { throw .protocolViolation("truncated greeting") }
        var greeting = ServerGreeting(
            protocolVersion: version, serverVersion: serverVersion, connectionID: connectionID,
            capabilities: CapabilityFlags(rawValue: UInt32(capLow)), characterSet: 0, statusFlags: 0,
            authPluginData: part1, authPluginName: "mysql_native_password")
        guard let charset = buf.readInteger(as: UInt8.self),
              let status = buf.readInteger(endianness: .little, as: UInt16.self),
              let capHigh = buf.readInteger(endianness: .little, as: UInt16.self),
              let authDataLength = buf.readInteger(as: UInt8.self),
              buf.readBytes(length: 10) != nil
        else { return greeting }  // a pre-4.1 short greeting: nothing more to learn
        greeting.characterSet = charset
        greeting.statusFlags = status
        greeting.capabilities.rawValue |= UInt32(capHigh) << 16
        if greeting.capabilities.contains(.secureConnection) {
            let part2Length = max(13, Int(authDataLength) - 8)
            guard let part2 = buf.readBytes(length: min(part2Length, buf.readableBytes)) else {
                throw .protocolViolation("truncated greeting nonce")
            }
            // The second part ends with a NUL that is not part of the nonce.
            greeting.authPluginData += part2.last == 0 ? part2.dropLast() : part2[...]
        }
        if greeting.capabilities.contains(.pluginAuth) {
            // Some servers omit the trailing NUL of the plugin name.
            greeting.authPluginName = buf.readNullTerminatedString() ?? buf.readRemainingString()
        }
        return greeting
    }
}

/// Protocol::SSLRequest: the first 32 bytes of a HandshakeResponse41, sent before TLS starts.
enum SSLRequestPacket {
    static func encode(capabilities: CapabilityFlags, maxPacketSize: UInt32, characterSet: UInt8) -> ByteBuffer {
        var buf = ByteBuffer()
        buf.writeInteger(capabilities.rawValue, endianness: .little)
        buf.writeInteger(maxPacketSize, endianness: .little)
        buf.writeInteger(characterSet)
        buf.writeRepeatingByte(0, count: 23)
        return buf
    }
}

/// Protocol::HandshakeResponse41.
struct HandshakeResponsePacket {
    var capabilities: CapabilityFlags
    var maxPacketSize: UInt32
    var characterSet: UInt8
    var user: String
    var authResponse: [UInt8]
    var database: String?
    var authPluginName: String
    var attributes: [(String, String)]

    func encode() -> ByteBuffer {
        var buf = SSLRequestPacket.encode(capabilities: capabilities, maxPacketSize: maxPacketSize,
                                          characterSet: characterSet)
        buf.writeNullTerminatedString(user)
        if capabilities.contains(.pluginAuthLenencClientData) {
            buf.writeLengthEncodedBytes(authResponse)
        } else {
            buf.writeInteger(UInt8(authResponse.count))
            buf.writeBytes(authResponse)
        }
        if capabilities.contains(.connectWithDB) {
            buf.writeNullTerminatedString(database ?? "")
        }
        if capabilities.contains(.pluginAuth) {
            buf.writeNullTerminatedString(authPluginName)
        }
        if capabilities.contains(.connectAttrs) {
            var attrs = ByteBuffer()
            for (k, v) in attributes {
                attrs.writeLengthEncodedBytes(Array(k.utf8))
                attrs.writeLengthEncodedBytes(Array(v.utf8))
            }
            buf.writeLengthEncodedInteger(UInt64(attrs.readableBytes))
            buf.writeBuffer(&attrs)
        }
        return buf
    }
}
