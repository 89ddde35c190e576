import NIOCore

/// Collects one command's result sets packet by packet.
struct ResultAccumulator {
    enum Phase {
        case first
        case columns(remaining: Int)
        case columnsEOF
        case rows
    }

    var phase: Phase = .first
    var columns: [MySQLColumn] = []
    var bytes: [UInt8] = []
    var offsets: [Int32] = []
    var rowCount = 0
    var results: [MySQLResult] = []

    /// Appends one text row. Cells are located in place: one copy of the payload per row.
    mutating func appendRow(_ payload: ByteBuffer) throws(MySQLError) {
        let base = bytes.count
        guard base + payload.readableBytes < Int(Int32.max) else {
            throw .protocolViolation("result set larger than 2 GiB")
        }
        bytes.append(contentsOf: payload.readableBytesView)
        var i = base
        let end = bytes.count
        for _ in 0..<columns.count {
            guard i < end else { throw .protocolViolation("row has fewer cells than columns") }
            let first = bytes[i]
            if first == 0xFB {
                offsets.append(Int32(i))
                offsets.append(-1)
                i += 1
                continue
            }
            var length: Int
            switch first {
            case 0..<0xFB:
                length = Int(first); i += 1
            case 0xFC:
                guard i + 3 <= end else { throw .protocolViolation("truncated cell length") }
                length = Int(bytes[i + 1]) | Int(bytes[i + 2]) << 8; i += 3
            case 0xFD:
                guard i + 4 <= end else { throw .protocolViolation("truncated cell length") }
                length = Int(bytes[i + 1]) | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) << 16; i += 4
            case 0xFE:
                guard i + 9 <= end else { throw .protocolViolation("truncated cell length") }
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(bytes[i + 1 + k]) << (8 * k) }
                guard v <= UInt64(end) else { throw .protocolViolation("cell length \(v) beyond the row") }
                length = Int(v); i += 9
            default:
                throw .protocolViolation("invalid cell length prefix 0x\(String(first, radix: 16))")
            }
            guard length <= end - i else { throw .protocolViolation("cell of \(length) bytes beyond the row") }
            offsets.append(Int32(i))
            offsets.append(Int32(length))
            i += length
        }
        guard i == end else { throw .protocolViolation("row has more bytes than its cells") }
        rowCount += 1
    }

    /// Closes the current result set with the status of its terminating packet.
    mutating func finishResultSet(warnings: UInt16, statusFlags: UInt16, affectedRows: UInt64 = 0,
                                  info: String = "", sessionState: [UInt8]? = nil) {
        let storage = RowStorage(columns: columns, bytes: bytes, offsets: offsets, rowCount: rowCount)
        results.append(MySQLResult(columns: columns, rows: MySQLRows(storage: storage), affectedRows: affectedRows,
                                   lastInsertID: 0, warnings: warnings, statusFlags: statusFlags, info: info,
                                   sessionStateChanges: sessionState))
        columns = []
        bytes = []
        offsets = []
        rowCount = 0
        phase = .first
    }
}
