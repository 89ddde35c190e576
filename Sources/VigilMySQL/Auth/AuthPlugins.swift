import Crypto
import _CryptoExtras
import Foundation

/// The authentication plugins this client implements, and the scrambles they send.
enum AuthPlugin: String {
    case nativePassword = "mysql_native_password"
    case cachingSha2 = "caching_sha2_password"
    case clearPassword = "mysql_clear_password"
    case ed25519 = "client_ed25519"

    /// The first response for this plugin, given the server's nonce.
    func initialResponse(password: String, nonce: [UInt8], secureTransport: Bool) throws(MySQLError) -> [UInt8] {
        let pw = Array(password.utf8)
        switch self {
        case .nativePassword: return AuthScramble.nativePassword(password: pw, nonce: nonce)
        case .cachingSha2: return AuthScramble.cachingSha2(password: pw, nonce: nonce)
        case .ed25519: return MariaDBEd25519.sign(nonce: nonce, password: pw)
        case .clearPassword:
            // Never send a password in the clear over an unprotected network path.
            guard secureTransport else {
                throw .tls("the server asked for mysql_clear_password, which needs TLS or a unix socket")
            }
            return pw + [0]
        }
    }
}

enum AuthScramble {
    /// SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))); empty password sends nothing.
    static func nativePassword(password: [UInt8], nonce: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(Insecure.SHA1.hash(data: password))
        let stage2 = Array(Insecure.SHA1.hash(data: stage1))
        var h = Insecure.SHA1()
        h.update(data: Array(nonce.prefix(20)))
        h.update(data: stage2)
        return zip(stage1, h.finalize()).map { $0 ^ $1 }
    }

    /// SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce).
    static func cachingSha2(password: [UInt8], nonce: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(SHA256.hash(data: password))
        let stage2 = Array(SHA256.hash(data: stage1))
        var h = SHA256()
        h.update(data: stage2)
        h.update(data: Array(nonce.prefix(20)))
        return zip(stage1, h.finalize()).map { $0 ^ $1 }
    }

    /// caching_sha2 full authentication over plain TCP: (password + NUL) XOR nonce, RSA-OAEP
    /// encrypted with the server's public key.
    static func rsaEncryptedPassword(password: [UInt8], nonce: [UInt8], publicKeyPEM: String) throws(MySQLError) -> [UInt8] {
        let plain = password + [0]
        let n = nonce.prefix(20)
        guard !n.isEmpty else { throw .protocolViolation("empty authentication nonce") }
        let mixed = plain.enumerated().map { $0.element ^ n[n.startIndex + $0.offset % n.count] }
        do {
            let key = try _RSA.Encryption.PublicKey(pemRepresentation: publicKeyPEM)
            return Array(try key.encrypt(mixed, padding: .PKCS1_OAEP))
        } catch {
            throw .protocolViolation("cannot use the server's RSA public key: \(error)")
        }
    }
}
