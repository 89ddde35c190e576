import NIOCore

/// Bounds-checked little-endian reads over raw bytes. Parsing a packet's fixed fields through
/// one `withUnsafeReadableBytes` costs one (dynamically checked) access to the buffer's
/// storage instead of one per field.
struct RawReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func u8() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    /// A little-endian unsigned integer of `size` bytes.
    mutating func uint(size: Int) -> UInt64? {
        guard size <= bytes.count - index else { return nil }
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[index + i]) << (8 * i) }
        index += size
        return value
    }

    mutating func u16() -> UInt16? { uint(size: 2).map { UInt16(truncatingIfNeeded: $0) } }

    mutating func lengthEncodedInteger() -> UInt64? {
        guard let first = u8() else { return nil }
        switch first {
        case 0..<0xFB: return UInt64(first)
        case 0xFC: return uint(size: 2)
        case 0xFD: return uint(size: 3)
        case 0xFE: return uint(size: 8)
        default: return nil  // 0xFB (NULL) and 0xFF (error) are not integers
        }
    }
}

/// Bounds-checked readers for the protocol's basic types. Each returns nil when the buffer
/// is too short, leaving the reader index unspecified; callers turn nil into a protocol error.
extension ByteBuffer {
    mutating func readLengthEncodedInteger() -> UInt64? {
        let read = withUnsafeReadableBytes { raw -> (value: UInt64?, size: Int) in
            var reader = RawReader(raw)
            return (reader.lengthEncodedInteger(), reader.index)
        }
        moveReaderIndex(forwardBy: read.size)
        return read.value
    }

    mutating func readLengthEncodedBytes() -> ByteBuffer? {
        guard let length = readLengthEncodedInteger(), length <= UInt64(readableBytes) else { return nil }
        return readSlice(length: Int(length))
    }

    mutating func readLengthEncodedString() -> String? {
        guard let length = readLengthEncodedInteger(), length <= UInt64(readableBytes) else { return nil }
        return readString(length: Int(length))
    }

    /// The rest of the packet as text (EOF-terminated strings).
    mutating func readRemainingString() -> String {
        readString(length: readableBytes) ?? ""
    }

    mutating func writeLengthEncodedInteger(_ value: UInt64) {
        switch value {
        case 0..<0xFB: writeInteger(UInt8(value))
        case 0xFB...0xFFFF:
            writeInteger(UInt8(0xFC))
            writeInteger(UInt16(value), endianness: .little)
        case 0x10000...0xFFFFFF:
            writeInteger(UInt8(0xFD))
            writeInteger(UInt16(value & 0xFFFF), endianness: .little)
            writeInteger(UInt8(value >> 16))
        default:
            writeInteger(UInt8(0xFE))
            writeInteger(value, endianness: .little)
        }
    }

    mutating func writeLengthEncodedBytes<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        writeLengthEncodedInteger(UInt64(bytes.count))
        writeBytes(bytes)
    }
}
