// Arithmetic modulo the Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493:
// ref10's sc_reduce (a 64-byte hash mod L) and sc_muladd (a·b + c mod L).
//
// Runs a handful of times per login, so clarity beats speed: the reduction is bit-serial
// (shift in one bit, conditionally subtract L), with the subtraction chosen by mask rather
// than by branch. Numbers are little-endian arrays of 64-bit words.

enum Ed25519Scalar {
    /// L as four little-endian 64-bit words.
    static let order: [UInt64] = [0x5812_631a_5cf5_d3ed, 0x14de_f9de_a2f7_9cd6, 0, 0x1000_0000_0000_0000]

    /// x mod L for a 64-byte little-endian x (sc_reduce), as 32 little-endian bytes.
    static func reduce(_ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count == 64, "sc_reduce takes 64 bytes")
        return encode(reduce(words: words(bytes)))
    }

    /// (a·b + c) mod L for 32-byte little-endian a, b, c (sc_muladd), as 32 little-endian bytes.
    /// a, b and c need not be reduced: any 256-bit inputs give a·b + c < 2^512.
    static func mulAdd(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8]) -> [UInt8] {
        precondition(a.count == 32 && b.count == 32 && c.count == 32, "sc_muladd takes 32-byte scalars")
        let x = words(a), y = words(b), z = words(c)
        // Schoolbook 256×256 → 512-bit product. out[i+j] + x·y + carry ≤ 2^128 - 1, so the new
        // carry (the high word plus the two overflow bits) cannot overflow.
        var product = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = x[i].multipliedFullWidth(by: y[j])
                let (s1, o1) = product[i + j].addingReportingOverflow(lo)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                product[i + j] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            product[i + 4] = carry
        }
        // + c.
        var carry: UInt64 = 0
        for i in 0..<8 {
            let (s1, o1) = product[i].addingReportingOverflow(i < 4 ? z[i] : 0)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            product[i] = s2
            carry = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        return encode(reduce(words: product))
    }

    /// x mod L, most significant bit first: r ← 2r + bit, then r ← r - L if that does not
    /// borrow. r < L < 2^253 throughout, so 2r + 1 < 2L fits in four words and one
    /// conditional subtraction per bit suffices.
    static func reduce(words x: [UInt64]) -> [UInt64] {
        var r: [UInt64] = [0, 0, 0, 0]
        for i in stride(from: x.count * 64 - 1, through: 0, by: -1) {
            let bit = (x[i >> 6] >> UInt64(i & 63)) & 1
            r[3] = r[3] << 1 | r[2] >> 63
            r[2] = r[2] << 1 | r[1] >> 63
            r[1] = r[1] << 1 | r[0] >> 63
            r[0] = r[0] << 1 | bit
            var diff: [UInt64] = [0, 0, 0, 0]
            var borrow: UInt64 = 0
            for k in 0..<4 {
                let (d1, b1) = r[k].subtractingReportingOverflow(order[k])
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                diff[k] = d2
                borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
            }
            let keepDiff = borrow &- 1  // all ones when r ≥ L (no borrow), zero otherwise
            for k in 0..<4 { r[k] = r[k] ^ (keepDiff & (r[k] ^ diff[k])) }
        }
        return r
    }

    static func words(_ bytes: [UInt8]) -> [UInt64] {
        var w = [UInt64](repeating: 0, count: bytes.count / 8)
        for (i, b) in bytes.enumerated() { w[i / 8] |= UInt64(b) << (8 * UInt64(i % 8)) }
        return w
    }

    static func encode(_ words: [UInt64]) -> [UInt8] {
        (0..<32).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> (8 * UInt64($0 % 8))) }
    }
}
