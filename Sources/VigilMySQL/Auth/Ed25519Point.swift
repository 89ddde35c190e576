// Points of the Ed25519 twisted Edwards curve  -x² + y² = 1 + d·x²·y²  over GF(2^255 - 19),
// in extended coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z
// (Hisil–Wong–Carter–Dawson 2008). Only what signing needs: addition, doubling,
// fixed-base scalar multiplication and the RFC 8032 encoding.

struct EdwardsPoint: Sendable {
    var x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement

    /// The neutral element (0, 1).
    static let identity = EdwardsPoint(x: .zero, y: .one, z: .one, t: .zero)

    /// The RFC 8032 base point B: y = 4/5, x positive (even).
    static let base: EdwardsPoint = {
        let x = FieldElement(hexBigEndian: "216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a")
        let y = FieldElement(hexBigEndian: "6666666666666666666666666666666666666666666666666666666666666658")
        return EdwardsPoint(x: x, y: y, z: .one, t: x * y)
    }()

    /// P + Q: the unified "add-2008-hwcd-3" formula for a = -1, complete on this curve
    /// (valid for doubling and for the identity too).
    static func + (p: EdwardsPoint, q: EdwardsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * (q.y - q.x)
        let b = (p.y + p.x) * (q.y + q.x)
        let c = p.t * FieldElement.d2 * q.t
        let zz = p.z * q.z
        let d = zz + zz
        let e = b - a, f = d - c, g = d + c, h = b + a
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// 2P: "dbl-2008-hwcd" for a = -1.
    func doubled() -> EdwardsPoint {
        let a = x.squared()
        let b = y.squared()
        let zz = z.squared()
        let c = zz + zz
        // The formula (with D = a·A = -A) has E = (X+Y)² - A - B, G = B - A, F = G - C and
        // H = -A - B; we compute their negations, which leaves every product below unchanged:
        // X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G.
        let h = a + b                      // -H
        let e = h - (x + y).squared()      // -E
        let g = a - b                      // -G
        let f = c + g                      // -F
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// s·B for a 32-byte little-endian scalar s (all 256 bits are used). Double-and-add with
    /// the addition always performed and the result chosen by mask, so neither the sequence
    /// of operations nor the memory accessed depends on the scalar.
    static func multiplyBase(scalar s: [UInt8]) -> EdwardsPoint {
        precondition(s.count == 32, "a scalar is 32 bytes")
        let b = EdwardsPoint.base
        var acc = EdwardsPoint.identity
        for i in stride(from: 255, through: 0, by: -1) {
            acc = acc.doubled()
            let sum = acc + b
            let bit = UInt64((s[i >> 3] >> UInt8(i & 7)) & 1)
            acc = select(acc, sum, mask: 0 &- bit)
        }
        return acc
    }

    /// `q` where `mask` is all ones, `p` where it is zero.
    static func select(_ p: EdwardsPoint, _ q: EdwardsPoint, mask: UInt64) -> EdwardsPoint {
        EdwardsPoint(
            x: .select(p.x, q.x, mask: mask),
            y: .select(p.y, q.y, mask: mask),
            z: .select(p.z, q.z, mask: mask),
            t: .select(p.t, q.t, mask: mask)
        )
    }

    /// RFC 8032 §5.1.2 encoding: y little-endian, with the sign (parity) of x in bit 255.
    func encoded() -> [UInt8] {
        let zInv = z.inverted()
        var out = (y * zInv).encoded()
        if (x * zInv).isNegative { out[31] |= 0x80 }
        return out
    }

    /// Whether the affine point satisfies the curve equation (for tests).
    var isOnCurve: Bool {
        let zInv = z.inverted()
        let ax = x * zInv, ay = y * zInv
        let xx = ax.squared(), yy = ay.squared()
        return yy - xx == .one + FieldElement.d * xx * yy && x * y == z * t
    }
}
