// Arithmetic in GF(2^255 - 19), the field under Curve25519 / Ed25519, for MariaDB's
// client_ed25519 authentication (see MariaDBEd25519.swift).
//
// Representation: five unsigned 51-bit limbs, value = Σ limb[i] · 2^(51·i). Limbs are kept
// "loosely reduced" (each below about 2^52) between operations, which leaves ample headroom
// for the 128-bit products in `*`. Nothing here branches on, or indexes memory by, the value
// of an element; only `encoded()` produces the canonical (fully reduced) form.

/// An element of GF(2^255 - 19).
struct FieldElement: Sendable, Equatable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64

    static let mask51: UInt64 = (1 << 51) - 1

    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4) = (l0, l1, l2, l3, l4)
    }

    static let zero = FieldElement(0, 0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0, 0)

    /// Edwards curve constant d = -121665/121666.
    static let d = FieldElement(hexBigEndian: "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3")
    /// 2·d, used by point addition.
    static let d2 = FieldElement(hexBigEndian: "2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159")

    /// Parses 32 little-endian bytes; bit 255 is ignored (as RFC 8032 does for y).
    init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == 32, "a field element is 32 bytes")
        var words = [UInt64](repeating: 0, count: 4)
        for (i, b) in bytes.enumerated() { words[i / 8] |= UInt64(b) << (8 * UInt64(i % 8)) }
        let m = FieldElement.mask51
        self.init(
            words[0] & m,
            (words[0] >> 51 | words[1] << 13) & m,
            (words[1] >> 38 | words[2] << 26) & m,
            (words[2] >> 25 | words[3] << 39) & m,
            (words[3] >> 12) & m
        )
    }

    /// Parses a 64-hex-digit big-endian constant (how curve constants are usually written).
    init(hexBigEndian hex: String) {
        let digits = Array(hex.utf8)
        precondition(digits.count == 64, "expected 64 hex digits")
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: preconditionFailure("bad hex digit")
            }
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { bytes[31 - i] = nibble(digits[2 * i]) << 4 | nibble(digits[2 * i + 1]) }
        self.init(bytes: bytes)
    }

    /// Propagates carries so every limb is below 2^51 + 2^18 (limb 0 absorbs 19 · top carry).
    @inline(__always)
    private func carried() -> FieldElement {
        let m = FieldElement.mask51
        var r = self
        var c = r.l0 >> 51; r.l0 &= m; r.l1 &+= c
        c = r.l1 >> 51; r.l1 &= m; r.l2 &+= c
        c = r.l2 >> 51; r.l2 &= m; r.l3 &+= c
        c = r.l3 >> 51; r.l3 &= m; r.l4 &+= c
        c = r.l4 >> 51; r.l4 &= m; r.l0 &+= c &* 19
        return r
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4).carried()
    }

    /// a - b, computed as a + 4p - b so no limb goes negative (b's limbs are below 2^53 - 76).
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let fourP0: UInt64 = (1 << 53) - 76, fourPi: UInt64 = (1 << 53) - 4
        return FieldElement(
            a.l0 &+ fourP0 &- b.l0,
            a.l1 &+ fourPi &- b.l1,
            a.l2 &+ fourPi &- b.l2,
            a.l3 &+ fourPi &- b.l3,
            a.l4 &+ fourPi &- b.l4
        ).carried()
    }

    static prefix func - (a: FieldElement) -> FieldElement { .zero - a }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        // 2^255 ≡ 19, so a product term landing at limb 5+k folds into limb k times 19.
        let b1_19 = b.l1 &* 19, b2_19 = b.l2 &* 19, b3_19 = b.l3 &* 19, b4_19 = b.l4 &* 19
        var r0 = Wide(a.l0, b.l0); r0.add(a.l1, b4_19); r0.add(a.l2, b3_19); r0.add(a.l3, b2_19); r0.add(a.l4, b1_19)
        var r1 = Wide(a.l0, b.l1); r1.add(a.l1, b.l0); r1.add(a.l2, b4_19); r1.add(a.l3, b3_19); r1.add(a.l4, b2_19)
        var r2 = Wide(a.l0, b.l2); r2.add(a.l1, b.l1); r2.add(a.l2, b.l0); r2.add(a.l3, b4_19); r2.add(a.l4, b3_19)
        var r3 = Wide(a.l0, b.l3); r3.add(a.l1, b.l2); r3.add(a.l2, b.l1); r3.add(a.l3, b.l0); r3.add(a.l4, b4_19)
        var r4 = Wide(a.l0, b.l4); r4.add(a.l1, b.l3); r4.add(a.l2, b.l2); r4.add(a.l3, b.l1); r4.add(a.l4, b.l0)
        // Each r_i < 5 · 2^52 · 19 · 2^52 < 2^112, so every carry below fits in 64 bits.
        r1.add(r0.shiftedDown51)
        r2.add(r1.shiftedDown51)
        r3.add(r2.shiftedDown51)
        r4.add(r3.shiftedDown51)
        var top = Wide(r4.shiftedDown51, 19)
        top.add(r0.low51)
        return FieldElement(top.low51, r1.low51 &+ top.shiftedDown51, r2.low51, r3.low51, r4.low51).carried()
    }

    func squared() -> FieldElement { self * self }

    /// self^(2^n).
    func squared(times n: Int) -> FieldElement {
        var r = self
        for _ in 0..<n { r = r * r }
        return r
    }

    /// self^(p-2) = self^-1 (and 0 for 0), via the usual ref10 addition chain for 2^255 - 21.
    func inverted() -> FieldElement {
        let z = self
        let z2 = z.squared()                                 // 2
        let z9 = z2.squared(times: 2) * z                    // 9
        let z11 = z9 * z2                                    // 11
        let z2_5_0 = z11.squared() * z9                      // 2^5 - 2^0
        let z2_10_0 = z2_5_0.squared(times: 5) * z2_5_0      // 2^10 - 2^0
        let z2_20_0 = z2_10_0.squared(times: 10) * z2_10_0   // 2^20 - 2^0
        let z2_40_0 = z2_20_0.squared(times: 20) * z2_20_0   // 2^40 - 2^0
        let z2_50_0 = z2_40_0.squared(times: 10) * z2_10_0   // 2^50 - 2^0
        let z2_100_0 = z2_50_0.squared(times: 50) * z2_50_0  // 2^100 - 2^0
        let z2_200_0 = z2_100_0.squared(times: 100) * z2_100_0  // 2^200 - 2^0
        let z2_250_0 = z2_200_0.squared(times: 50) * z2_50_0    // 2^250 - 2^0
        return z2_250_0.squared(times: 5) * z11              // 2^255 - 2^5 + 11 = p - 2
    }

    /// The canonical 32-byte little-endian encoding (value fully reduced below p).
    func encoded() -> [UInt8] {
        // Three carry passes leave every limb below 2^51, i.e. the value below 2^255 < 2p.
        let h = carried().carried().carried()
        // q = 1 exactly when h ≥ p, i.e. when h + 19 reaches 2^255.
        var q = (h.l0 &+ 19) >> 51
        q = (h.l1 &+ q) >> 51
        q = (h.l2 &+ q) >> 51
        q = (h.l3 &+ q) >> 51
        q = (h.l4 &+ q) >> 51
        // h - q·p = h + 19q - q·2^255: add 19q, carry, and drop bit 255.
        let m = FieldElement.mask51
        var l0 = h.l0 &+ 19 &* q
        var l1 = h.l1 &+ (l0 >> 51); l0 &= m
        var l2 = h.l2 &+ (l1 >> 51); l1 &= m
        var l3 = h.l3 &+ (l2 >> 51); l2 &= m
        var l4 = h.l4 &+ (l3 >> 51); l3 &= m
        l4 &= m
        let words = [l0 | l1 << 51, l1 >> 13 | l2 << 38, l2 >> 26 | l3 << 25, l3 >> 39 | l4 << 12]
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: words[i / 8] >> (8 * UInt64(i % 8))) }
        return out
    }

    /// Whether the canonical value is odd ("negative" in RFC 8032's sign convention).
    var isNegative: Bool { encoded()[0] & 1 == 1 }

    /// `b` where `mask` is all ones, `a` where it is zero, without branching.
    static func select(_ a: FieldElement, _ b: FieldElement, mask: UInt64) -> FieldElement {
        FieldElement(
            a.l0 ^ (mask & (a.l0 ^ b.l0)),
            a.l1 ^ (mask & (a.l1 ^ b.l1)),
            a.l2 ^ (mask & (a.l2 ^ b.l2)),
            a.l3 ^ (mask & (a.l3 ^ b.l3)),
            a.l4 ^ (mask & (a.l4 ^ b.l4))
        )
    }

    /// Equality of the field values (not of the limb representations).
    static func == (a: FieldElement, b: FieldElement) -> Bool { a.encoded() == b.encoded() }
}

/// A 128-bit unsigned accumulator for limb products (UInt128 needs macOS 15).
private struct Wide {
    var hi: UInt64, lo: UInt64

    @inline(__always)
    init(_ a: UInt64, _ b: UInt64) { (hi, lo) = a.multipliedFullWidth(by: b) }

    @inline(__always)
    mutating func add(_ a: UInt64, _ b: UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (s, carry) = lo.addingReportingOverflow(l)
        lo = s
        hi = hi &+ h &+ (carry ? 1 : 0)
    }

    @inline(__always)
    mutating func add(_ a: UInt64) {
        let (s, carry) = lo.addingReportingOverflow(a)
        lo = s
        hi = hi &+ (carry ? 1 : 0)
    }

    /// The value >> 51; callers guarantee it fits in 64 bits.
    var shiftedDown51: UInt64 { hi << 13 | lo >> 51 }
    var low51: UInt64 { lo & FieldElement.mask51 }
}
