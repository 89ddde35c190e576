import NIOCore

/// Collects one command's result sets packet by packet.
struct ResultAccumulator {
    enum Phase {
        case first
        case columns(next: Int, count: Int)
        case columnsEOF
        case rows
    }

    var phase: Phase = .first
    var columns: [MySQLColumn] = []
    /// True while every definition so far equals the cached one: `columns` stays empty until
    /// one differs (or the last one arrives), so a repeated statement decodes none.
    private var matchingCache = true
    /// This result's definition packets, to cache once all are decoded.
    private var columnPackets: [UInt8] = []
    private var columnEnds: [Int] = []
    var bytes: [UInt8] = []
    var offsets: [Int32] = []
    var rowCount = 0
    /// The command's results so far; the first apart, as most commands have only one.
    var first: MySQLResult?
    var more: [MySQLResult] = []

    mutating func append(_ result: MySQLResult) {
        if first == nil { first = result } else { more.append(result) }
    }

    /// Takes column definition `index` of `count`, from the cache when byte-identical.
    mutating func appendColumn(_ payload: ByteBuffer, index: Int, count: Int,
                               cache: inout ColumnDefinitionCache) throws(MySQLError) {
        let cacheable = count <= ColumnDefinitionCache.maxColumns
        if matchingCache && cache.matches(payload, at: index) {
            // Nothing to do until the last column or the first difference.
        } else {
            if matchingCache {
                // The first difference: the earlier columns are the cached ones.
                matchingCache = false
                columns.reserveCapacity(count)
                columns.append(contentsOf: cache.columns[0..<index])
                if cacheable {
                    columnPackets.append(contentsOf: cache.packets[0..<(index == 0 ? 0 : cache.ends[index - 1])])
                    columnEnds.append(contentsOf: cache.ends[0..<index])
                }
            }
            columns.append(try ColumnDefinitionPacket.decode(payload))
            if cacheable {
                payload.withUnsafeReadableBytes { columnPackets.append(contentsOf: $0) }
                columnEnds.append(columnPackets.count)
            }
        }
        guard index == count - 1 else { return }
        if matchingCache {
            columns = cache.columns.count == count ? cache.columns : Array(cache.columns[0..<count])
        } else if cacheable {
            cache.store(columns: columns, packets: columnPackets, ends: columnEnds)
        }
        columnPackets = []
        columnEnds = []
    }

    /// Appends one text row. Cells are located in place: one copy of the payload per row.
    mutating func appendRow(_ payload: ByteBuffer) throws(MySQLError) {
        let base = bytes.count
        guard base + payload.readableBytes < Int(Int32.max) else {
            throw .protocolViolation("result set larger than 2 GiB")
        }
        // Raw bytes append as one copy; a ByteBufferView goes through a generic element loop.
        payload.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
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
        // Moved out, not copied: the storage is the only owner of the arrays from here on.
        let columns = take(&self.columns)
        let storage = RowStorage(columns: columns, bytes: take(&bytes), offsets: take(&offsets), rowCount: rowCount)
        append(MySQLResult(columns: columns, rows: MySQLRows(storage: storage), affectedRows: affectedRows,
                           lastInsertID: 0, warnings: warnings, statusFlags: statusFlags, info: info,
                           sessionStateChanges: sessionState))
        matchingCache = true
        rowCount = 0
        phase = .first
    }

    /// The command's results, leaving the accumulator empty.
    mutating func takeOutcome() -> CommandOutcome {
        guard let first = first.take() else { return .done }
        return .results(first: first, more: take(&more))
    }
}

/// The value of `x`, leaving an empty one behind (a move, where a copy would retain).
private func take<T: RangeReplaceableCollection>(_ x: inout T) -> T {
    var out = T()
    swap(&out, &x)
    return out
}
