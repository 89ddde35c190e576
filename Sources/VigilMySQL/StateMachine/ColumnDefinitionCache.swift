import Glibc
import NIOCore

/// The column definitions of the last cacheable result set, with the packets they were decoded
/// from. A statement run again gets byte-identical definitions: they are taken from here
/// instead of decoded (no strings built), and when all match the result shares this array (no
/// allocation). Bounded, so a connection never holds on to much.
struct ColumnDefinitionCache {
    static let maxColumns = 64
    static let maxBytes = 8 * 1024

    private(set) var columns: [MySQLColumn] = []
    /// The definition packets back to back; packet `i` ends at `ends[i]`.
    private(set) var packets: [UInt8] = []
    private(set) var ends: [Int] = []

    /// Whether `payload` is byte for byte the cached definition of column `index`.
    func matches(_ payload: ByteBuffer, at index: Int) -> Bool {
        guard index < ends.count else { return false }
        let start = index == 0 ? 0 : ends[index - 1]
        let count = ends[index] - start
        guard count == payload.readableBytes else { return false }
        if count == 0 { return true }
        // memcmp, not `elementsEqual`: this runs for every column of every repeated statement.
        return payload.withUnsafeReadableBytes { incoming in
            packets.withUnsafeBytes { cached in
                memcmp(incoming.baseAddress!, cached.baseAddress! + start, count) == 0
            }
        }
    }

    /// Remembers a fully decoded result's definitions when they are small enough.
    mutating func store(columns: [MySQLColumn], packets: [UInt8], ends: [Int]) {
        guard columns.count <= Self.maxColumns, ends.count == columns.count, packets.count <= Self.maxBytes else { return }
        self.columns = columns
        self.packets = packets
        self.ends = ends
    }
}
