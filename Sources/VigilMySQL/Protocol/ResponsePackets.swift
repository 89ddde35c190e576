import NIOCore

/// Protocol::OK_Packet (header 0x00, or 0xFE when it ends a result set under DEPRECATE_EOF).
struct OKPacket: Equatable {
    var affectedRows: UInt64
    var lastInsertID: UInt64
    var statusFlags: UInt16
    var warnings: UInt16
    var info: String
    var sessionStateChanges: [UInt8]?

    static func decode(_ payload: ByteBuffer, capabilities: CapabilityFlags) throws(MySQLError) -> OKPacket {
        var buf = payload
        // The fixed fields in one pass over the bytes (this runs for every statement).
        let fixed = buf.withUnsafeReadableBytes { raw -> (OKPacket, Int)? in
            var r = RawReader(raw)
            guard r.u8() != nil, let affected = r.lengthEncodedInteger(), let lastID = r.lengthEncodedInteger(),
                  let status = r.u16(), let warnings = r.u16()
            else { return nil }
            return (OKPacket(affectedRows: affected, lastInsertID: lastID, statusFlags: status, warnings: warnings,
                             info: "", sessionStateChanges: nil), r.index)
        }
        guard let fixed else { throw .protocolViolation("truncated OK packet") }
        var ok = fixed.0
        buf.moveReaderIndex(forwardBy: fixed.1)
        let status = ok.statusFlags
        if capabilities.contains(.sessionTrack) {
            if buf.readableBytes > 0 {
                ok.info = buf.readLengthEncodedString() ?? ""
            }
            if status & MySQLStatusFlags.sessionStateChanged != 0, let state = buf.readLengthEncodedBytes() {
                ok.sessionStateChanges = Array(buffer: state)
            }
        } else {
            ok.info = buf.readRemainingString()
        }
        return ok
    }
}

/// Protocol::EOF_Packet (classic, before CLIENT_DEPRECATE_EOF).
struct EOFPacket: Equatable {
    var warnings: UInt16
    var statusFlags: UInt16

    static func decode(_ payload: ByteBuffer) -> EOFPacket {
        var buf = payload
        _ = buf.readInteger(as: UInt8.self)
        let warnings = buf.readInteger(endianness: .little, as: UInt16.self) ?? 0
        let status = buf.readInteger(endianness: .little, as: UInt16.self) ?? 0
        return EOFPacket(warnings: warnings, statusFlags: status)
    }

    /// An 0xFE packet shorter than 9 bytes is an EOF; a longer one is data.
    static func isEOF(_ payload: ByteBuffer) -> Bool {
        payload.readableBytes < 9 && payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0xFE
    }
}

/// Protocol::ERR_Packet.
enum ServerErrorPacket {
    static func decode(_ payload: ByteBuffer, protocol41: Bool = true) -> MySQLServerError {
        var buf = payload
        _ = buf.readInteger(as: UInt8.self)
        let code = buf.readInteger(endianness: .little, as: UInt16.self) ?? 0
        var state = "HY000"
        if buf.getInteger(at: buf.readerIndex, as: UInt8.self) == UInt8(ascii: "#"), buf.readableBytes >= 6 {
            buf.moveReaderIndex(forwardBy: 1)
            state = buf.readString(length: 5) ?? state
        }
        return MySQLServerError(code: code, sqlState: state, message: buf.readRemainingString())
    }
}

/// Protocol::ColumnDefinition41.
enum ColumnDefinitionPacket {
    static func decode(_ payload: ByteBuffer) throws(MySQLError) -> MySQLColumn {
        var buf = payload
        guard buf.readLengthEncodedString() != nil,  // catalog, always "def"
              let schema = buf.readLengthEncodedString(),
              let table = buf.readLengthEncodedString(),
              buf.readLengthEncodedString() != nil,  // original table
              let name = buf.readLengthEncodedString(),
              let originalName = buf.readLengthEncodedString(),
              let fixedLength = buf.readLengthEncodedInteger(), fixedLength >= 10,
              let charset = buf.readInteger(endianness: .little, as: UInt16.self),
              let length = buf.readInteger(endianness: .little, as: UInt32.self),
              let type = buf.readInteger(as: UInt8.self),
              let flags = buf.readInteger(endianness: .little, as: UInt16.self),
              let decimals = buf.readInteger(as: UInt8.self)
        else { throw .protocolViolation("truncated column definition") }
        return MySQLColumn(schema: schema, table: table, name: name, originalName: originalName,
                           characterSet: charset, length: length, type: MySQLColumnType(rawValue: type),
                           flags: flags, decimals: decimals)
    }
}
