import NIOCore

/// Bounds-checked readers for the protocol's basic types. Each returns nil when the buffer
/// is too short, leaving the reader index unspecified; callers turn nil into a protocol error.
extension ByteBuffer {
    mutating func readLengthEncodedInteger() -> UInt64? {
        guard let first = readInteger(as: UInt8.self) else { return nil }
        switch first {
        case 0..<0xFB: return UInt64(first)
        case 0xFC: return readInteger(endianness: .little, as: UInt16.self).map(UInt64.init)
        case 0xFD:
            guard let lo = readInteger(endianness: .little, as: UInt16.self),
                  let hi = readInteger(as: UInt8.self) else { return nil }
            return UInt64(lo) | UInt64(hi) << 16
        case 0xFE: return readInteger(endianness: .little, as: UInt64.self)
        default: return nil  // 0xFB (NULL) and 0xFF (error) are not integers
        }
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
