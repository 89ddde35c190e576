import NIOCore

/// Splits a byte stream into logical packets (joining 16 MiB continuations), checks sequence
/// ids, and frames outgoing payloads. Sans-IO: it only sees bytes.
struct PacketFramer {
    static let maxChunk = 0xFF_FFFF

    /// Next sequence id expected from the server, and the one we write with.
    private(set) var sequence: UInt8 = 0
    /// Off between commands (see `nextPayload`).
    var checksSequence = true
    private var inbound: ByteBuffer?
    private var partial: ByteBuffer?
    private var partialFirst: UInt8?
    let maxPacketSize: Int

    init(maxPacketSize: Int) {
        self.maxPacketSize = maxPacketSize
    }

    /// A new command starts a new sequence.
    mutating func resetSequence() {
        sequence = 0
        checksSequence = true
    }

    /// For a packet the caller framed itself with the current sequence id.
    mutating func skipSequence() { sequence &+= 1 }

    mutating func append(_ bytes: inout ByteBuffer) {
        guard var buffer = inbound else {
            inbound = bytes
            return
        }
        inbound = nil  // keep the storage uniquely referenced so appending does not copy it
        // Compact only when the consumed prefix outweighs what is left: amortised O(1) per
        // byte even while a 16 MiB packet trickles in, and the buffer never grows with the
        // size of a whole result set.
        if buffer.readerIndex > buffer.readableBytes {
            buffer.discardReadBytes()
        }
        buffer.writeBuffer(&bytes)
        inbound = buffer
    }

    var hasBufferedBytes: Bool { (inbound?.readableBytes ?? 0) > 0 || partial != nil }

    /// The next complete logical payload, nil if more bytes are needed.
    mutating func nextPayload() throws(MySQLError) -> ByteBuffer? {
        try nextPacket()?.payload
    }

    /// The next complete logical payload and its first byte (nil when empty), which every
    /// packet is dispatched on: read together with the header, in one access to the bytes.
    mutating func nextPacket() throws(MySQLError) -> (payload: ByteBuffer, first: UInt8?)? {
        while true {
            // `inbound` is read and advanced in place: a copy would cost a retain and a
            // release per packet.
            guard let available = inbound?.readableBytes, available >= 4 else { return nil }
            let (header, first) = inbound!.withUnsafeReadableBytes { raw in
                (UInt32(raw[0]) | UInt32(raw[1]) << 8 | UInt32(raw[2]) << 16 | UInt32(raw[3]) << 24,
                 raw.count > 4 ? raw[4] : nil)
            }
            let length = Int(header & 0xFF_FFFF)
            let seq = UInt8(header >> 24)
            guard available - 4 >= length else { return nil }
            // While idle any sequence id is accepted: servers number the ERR they send just
            // before dropping an idle or killed session in different ways.
            guard seq == sequence || !checksSequence else {
                throw .protocolViolation("packet sequence id \(seq), expected \(sequence)")
            }
            sequence = seq &+ 1
            inbound!.moveReaderIndex(forwardBy: 4)
            let chunk = inbound!.readSlice(length: length)!
            if available - 4 == length { inbound = nil }
            let total = (partial?.readableBytes ?? 0) + length
            guard total <= maxPacketSize else {
                throw .protocolViolation("packet of \(total)+ bytes exceeds the limit of \(maxPacketSize)")
            }
            if length == Self.maxChunk {
                // More fragments of the same logical packet follow.
                if partial == nil { partial = chunk; partialFirst = first } else { var c = chunk; partial!.writeBuffer(&c) }
                continue
            }
            if var p = partial {
                partial = nil  // before writing, so `p` is the only reference and appends in place
                var c = chunk
                p.writeBuffer(&c)
                return (p, partialFirst)
            }
            return (chunk, length > 0 ? first : nil)
        }
    }

    /// Frames one logical payload, splitting it at 16 MiB as the protocol requires.
    mutating func frame(_ payload: ByteBuffer, into out: inout ByteBuffer) {
        var payload = payload
        while true {
            let n = min(payload.readableBytes, Self.maxChunk)
            out.writeInteger(UInt32(n) | UInt32(sequence) << 24, endianness: .little)
            var chunk = payload.readSlice(length: n)!
            out.writeBuffer(&chunk)
            sequence &+= 1
            if n < Self.maxChunk { return }
        }
    }
}
