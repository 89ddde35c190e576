import Crypto
import Foundation

/// MariaDB's `ed25519` authentication (server plugin `auth_ed25519`, client plugin
/// `client_ed25519`).
///
/// The server stores a 32-byte Ed25519 public key (base64, 43 characters, no `=` padding, in
/// `mysql.global_priv`), sends a 32-byte random nonce, and expects back the 64-byte Ed25519
/// signature of that nonce. The twist is the key derivation: where RFC 8032 hashes a 32-byte
/// seed, MariaDB's `crypto_sign(sm, m, mlen, pw, pwlen)` hashes the whole password:
///
///     h = SHA-512(password); a = clamp(h[0..<32]); prefix = h[32..<64]; A = a·B
///     r = SHA-512(prefix ‖ m) mod L;  R = r·B
///     k = SHA-512(R ‖ A ‖ m) mod L;   S = (r + k·a) mod L;  signature = R ‖ S
///
/// so for a 32-byte password this is exactly RFC 8032 Ed25519 with the password as the seed.
/// swift-crypto cannot express an arbitrary-length "seed", hence the small pure-Swift
/// Ed25519 in Ed25519Field/Point/Scalar.swift. Signing is deterministic; scalar
/// multiplication and reduction do not branch on secret data.
///
/// The password bytes are used as given: libmariadb signs `strlen(passwd)` bytes, i.e. the
/// UTF-8 of the password up to any NUL.
public enum MariaDBEd25519 {
    public static let nonceLength = 32
    public static let publicKeyLength = 32
    public static let signatureLength = 64

    /// The 32-byte public key MariaDB stores for this password.
    public static func publicKey(password: [UInt8]) -> [UInt8] {
        Keys(password: password).publicKey
    }

    /// What MariaDB stores as the account's authentication string: the public key in base64
    /// without the trailing `=` (43 characters), i.e. what `ed25519_password('pw')` returns and
    /// what `CREATE USER … IDENTIFIED VIA ed25519 USING '<this>'` accepts.
    public static func authenticationString(password: [UInt8]) -> String {
        var s = Data(publicKey(password: password)).base64EncodedString()
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    /// The 64-byte signature R ‖ S of the server's nonce under the key derived from the
    /// password: the client's whole auth response. Any message length is accepted; MariaDB's
    /// nonce is exactly 32 bytes (no trailing NUL).
    public static func sign(nonce message: [UInt8], password: [UInt8]) -> [UInt8] {
        let keys = Keys(password: password)
        let r = Ed25519Scalar.reduce(sha512(keys.prefix, message))
        let encodedR = EdwardsPoint.multiplyBase(scalar: r).encoded()
        let k = Ed25519Scalar.reduce(sha512(encodedR, keys.publicKey, message))
        let s = Ed25519Scalar.mulAdd(k, keys.scalar, r)
        return encodedR + s
    }

    /// The expanded key: clamped secret scalar a, nonce prefix, and A = a·B encoded.
    struct Keys {
        let scalar: [UInt8]
        let prefix: [UInt8]
        let publicKey: [UInt8]

        init(password: [UInt8]) {
            let h = sha512(password)
            var a = Array(h[0..<32])
            a[0] &= 248
            a[31] &= 127
            a[31] |= 64
            scalar = a
            prefix = Array(h[32..<64])
            publicKey = EdwardsPoint.multiplyBase(scalar: a).encoded()
        }
    }

    static func sha512(_ parts: [UInt8]...) -> [UInt8] {
        var hasher = SHA512()
        for part in parts { hasher.update(data: part) }
        return Array(hasher.finalize())
    }
}
