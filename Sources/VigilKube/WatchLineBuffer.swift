/// Splits a watch stream into lines (one JSON event each). Chunk boundaries carry no meaning:
/// an event may arrive in many chunks, or many events in one. Scanning resumes where the
/// last call stopped, so a huge object arriving in small pieces costs linear time.
public struct WatchLineBuffer: Sendable {
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "a watch event exceeded \(limit) bytes" }
    }

    private var storage: [UInt8] = []
    /// Bytes before this index hold no newline.
    private var scanned = 0
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 256 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held back waiting for their newline.
    public var pendingBytes: Int { storage.count }

    /// Adds a chunk and returns every line it completed (without `\n` or `\r\n`; blank lines skipped).
    public mutating func append<Bytes: Sequence>(_ chunk: Bytes) throws(LineTooLong) -> [[UInt8]]
    where Bytes.Element == UInt8 {
        storage.append(contentsOf: chunk)
        var lines: [[UInt8]] = []
        var lineStart = 0
        var index = scanned
        while index < storage.count {
            if storage[index] == 0x0A {
                var end = index
                if end > lineStart, storage[end - 1] == 0x0D { end -= 1 }
                if end > lineStart { lines.append(Array(storage[lineStart..<end])) }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart > 0 { storage.removeFirst(lineStart) }
        scanned = storage.count
        if storage.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
        return lines
    }

    /// The unterminated remainder at end of stream (a server may omit the last newline).
    public mutating func finish() -> [UInt8]? {
        defer {
            storage = []
            scanned = 0
        }
        let rest = storage.last == 0x0D ? Array(storage.dropLast()) : storage
        return rest.isEmpty ? nil : rest
    }
}
