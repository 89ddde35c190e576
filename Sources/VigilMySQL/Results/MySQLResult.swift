/// One result of a command: either a result set (columns + rows) or an OK (affected rows …).
/// A result set also carries the status of the EOF/OK that ended it.
public struct MySQLResult: Sendable {
    public var columns: [MySQLColumn]
    public var rows: MySQLRows
    public var affectedRows: UInt64
    public var lastInsertID: UInt64
    public var warnings: UInt16
    public var statusFlags: UInt16
    /// Human-readable info ("Rows matched: 1  Changed: 1  Warnings: 0"), when sent.
    public var info: String
    /// Raw session-state-change block (CLIENT_SESSION_TRACK), when the server sent one.
    public var sessionStateChanges: [UInt8]?

    public init(columns: [MySQLColumn] = [], rows: MySQLRows = MySQLRows(), affectedRows: UInt64 = 0,
                lastInsertID: UInt64 = 0, warnings: UInt16 = 0, statusFlags: UInt16 = 0, info: String = "",
                sessionStateChanges: [UInt8]? = nil) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.lastInsertID = lastInsertID
        self.warnings = warnings
        self.statusFlags = statusFlags
        self.info = info
        self.sessionStateChanges = sessionStateChanges
    }

    /// True for a result set (even an empty one), false for a plain OK.
    public var hasResultSet: Bool { !columns.isEmpty }

    /// Index of a column by name (case-insensitive, as MySQL compares column names).
    public func columnIndex(_ name: String) -> Int? {
        rows.storage.columnIndex(name)
    }
}

/// Rows of a result set, stored as one contiguous byte buffer plus cell offsets, so decoding
/// a 200k-row result costs two array appends per cell and no allocation per row.
public struct MySQLRows: Sendable, RandomAccessCollection {
    let storage: RowStorage

    public init() { storage = RowStorage.empty }
    init(storage: RowStorage) { self.storage = storage }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }
    public subscript(position: Int) -> MySQLRow { MySQLRow(storage: storage, index: position) }
}

/// One row: a view into its result's storage. Values decode on access.
public struct MySQLRow: Sendable, CustomStringConvertible {
    let storage: RowStorage
    let index: Int

    public var count: Int { storage.columns.count }
    public var columns: [MySQLColumn] { storage.columns }

    public subscript(column: Int) -> MySQLValue {
        guard let bytes = rawBytes(at: column) else { return .null }
        return TextValueDecoder.decode(bytes, column: storage.columns[column])
    }

    /// The value of the named column, or nil when there is no such column.
    public subscript(name: String) -> MySQLValue? {
        guard let i = storage.columnIndex(name) else { return nil }
        return self[i]
    }

    /// The bytes of a cell as sent (nil for NULL). No decoding, no copy.
    public func rawBytes(at column: Int) -> ArraySlice<UInt8>? {
        let cell = (index * storage.columns.count + column) * 2
        let start = Int(storage.offsets[cell])
        let length = Int(storage.offsets[cell + 1])
        if length < 0 { return nil }
        return storage.bytes[start..<(start + length)]
    }

    /// Convenience: text of a cell, nil for NULL.
    public func string(_ column: Int) -> String? {
        rawBytes(at: column).map { String(decoding: $0, as: UTF8.self) }
    }

    public func string(_ name: String) -> String? {
        storage.columnIndex(name).flatMap { string($0) }
    }

    public var values: [MySQLValue] { (0..<count).map { self[$0] } }
    public var description: String { values.map(\.description).joined(separator: "\t") }
}

/// Immutable once built (a result is built on the event loop, then handed over whole).
final class RowStorage: Sendable {
    /// Shared by every result without rows (OK packets): no allocation for them.
    static let empty = RowStorage(columns: [])

    let columns: [MySQLColumn]
    let bytes: [UInt8]
    /// Two entries per cell: start in `bytes`, length (-1 for NULL).
    let offsets: [Int32]
    let rowCount: Int

    init(columns: [MySQLColumn], bytes: [UInt8] = [], offsets: [Int32] = [], rowCount: Int = 0) {
        self.columns = columns
        self.bytes = bytes
        self.offsets = offsets
        self.rowCount = rowCount
    }

    /// ASCII case-insensitive, without allocating: called per row by name lookups.
    func columnIndex(_ name: String) -> Int? {
        columns.firstIndex { column in
            column.name.utf8.elementsEqual(name.utf8) { a, b in
                a == b || (a ^ 0x20 == b && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
            }
        }
    }
}

extension MySQLRows {
    /// Builds rows from text cells (nil for NULL): for fakes and tests of code that reads results.
    public init(columns: [MySQLColumn], textRows: [[String?]]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = []
        for row in textRows {
            precondition(row.count == columns.count, "each row needs one cell per column")
            for cell in row {
                if let cell {
                    offsets.append(Int32(bytes.count))
                    offsets.append(Int32(cell.utf8.count))
                    bytes.append(contentsOf: cell.utf8)
                } else {
                    offsets.append(0)
                    offsets.append(-1)
                }
            }
        }
        self.init(storage: RowStorage(columns: columns, bytes: bytes, offsets: offsets, rowCount: textRows.count))
    }
}

extension MySQLResult {
    /// A text-only result set, e.g. what `SHOW REPLICA STATUS` returns, for fakes and tests.
    public init(columnNames: [String], textRows: [[String?]]) {
        let columns = columnNames.map { MySQLColumn(name: $0, type: .varString) }
        self.init(columns: columns, rows: MySQLRows(columns: columns, textRows: textRows))
    }
}
