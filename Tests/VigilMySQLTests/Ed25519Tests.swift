import Crypto
import Foundation
import Testing

@testable import VigilMySQL

/// MariaDB `client_ed25519`: RFC 8032 vectors, vectors produced by a real MariaDB 10.11, a
/// cross-check against swift-crypto's Ed25519, and the arithmetic underneath.
@Suite struct Ed25519Tests {
    // MARK: RFC 8032

    /// RFC 8032 §7.1 (TEST 1, 2, 3, 1024, SHA(abc)): secret key (seed), public key, message,
    /// signature. MariaDB hashes the whole password where RFC 8032 hashes the 32-byte seed, so a
    /// 32-byte password *is* the seed and these apply unchanged.
    static let rfc8032: [(seed: String, publicKey: String, message: String, signature: String)] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
        (
            "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
            "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
            // TEST 1024: a 1023-byte message.
            "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
            "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"
        ),
        (
            "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            // TEST SHA(abc): the message is SHA-512("abc").
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ]

    @Test func rfc8032Vectors() {
        #expect(edHex(Self.rfc8032[3].message).count == 1023)
        #expect(edHex(Self.rfc8032[4].message) == Array(SHA512.hash(data: Array("abc".utf8))))
        for v in Self.rfc8032 {
            let seed = edHex(v.seed)
            #expect(MariaDBEd25519.publicKey(password: seed) == edHex(v.publicKey))
            #expect(MariaDBEd25519.sign(nonce: edHex(v.message), password: seed) == edHex(v.signature))
        }
    }

    // MARK: Real MariaDB

    /// Produced by MariaDB 10.11.19's auth_ed25519 (Debian 12 package) on a throwaway server:
    /// `CREATE FUNCTION ed25519_password RETURNS STRING SONAME 'auth_ed25519.so'` (10.11 ships the
    /// UDF in the plugin library but `INSTALL SONAME` does not register it), then
    /// `SELECT ed25519_password(...)`; for 'secret', 'password' and the unicode one the same
    /// strings also appeared in `mysql.global_priv` after `CREATE USER … IDENTIFIED VIA ed25519
    /// USING PASSWORD(...)`. MariaDB stores 43 base64 characters *without* the `=` padding.
    /// (`USING PASSWORD('')` stores an empty authentication string, and then even an
    /// empty-password login is refused; `USING '4LH+dB…bG4'` makes the empty password work.)
    static let mariaDBAuthenticationStrings: [(password: [UInt8], stored: String)] = [
        (Array("secret".utf8), "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY"),
        ([], "4LH+dBF+G5W2CKTyId8xR3SyDqZoQjUNUVNxx8aWbG4"),
        (Array("password".utf8), "RBIiSdwSgBldhFZLFzRCTTc1Q0pRJ3pFZudlQ78k40o"),
        (Array(unicodePassword.utf8), "yRpppgJXct6Mowd7e11JwUQiZyuqA2hI2xlhZZ1N5qE"),
        // ed25519_password(REPEAT('a', 1000)): far longer than one SHA-512 block.
        (Array(repeating: UInt8(ascii: "a"), count: 1000), "puSh2FppwwpUq0ruhxOznq/U4+Jz7Y7+011TXyA4ZMQ"),
        // ed25519_password(UNHEX(<RFC 8032 TEST 1 seed>)): MariaDB agrees with RFC 8032 TEST 1.
        (edHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
    ]

    /// 87 UTF-8 bytes: 2- to 4-byte characters, spaces and punctuation.
    static let unicodePassword = "Pässwörd — 🔐 long unicode password with spaces and symbols !@#$%^&*() 0123456789"

    @Test func publicKeysMatchMariaDB() {
        #expect(Array(Self.unicodePassword.utf8).count == 87)
        for v in Self.mariaDBAuthenticationStrings {
            #expect(v.stored.count == 43 && !v.stored.hasSuffix("="))
            #expect(MariaDBEd25519.authenticationString(password: v.password) == v.stored)
            let decoded = Data(base64Encoded: v.stored + "=").map { Array($0) }
            #expect(MariaDBEd25519.publicKey(password: v.password) == decoded)
        }
    }

    /// Successful logins to that MariaDB 10.11.19 server by its own `mariadb` client
    /// (libmariadb 3.3's client_ed25519), captured on the unix socket: the 32-byte nonce from
    /// the auth switch request and the 64-byte reply the server then accepted with an OK packet.
    static let mariaDBLogins: [(password: [UInt8], nonce: String, response: String)] = [
        (
            Array("secret".utf8),
            "64bcea45749a3073ad805e6d3cdf65f3d97628d62c21061800e1ec9087dacb12",
            "a30e8913aeca46a396ff1a170d9ff7fe7af3f6acb5d89385977730f90047657d395d7065685005c770c11b04924afc5360b52e3f5c035fa7ea446a9ac3613909"
        ),
        (
            Array(unicodePassword.utf8),
            "f2a893a4f3137189412b9a8967bbd060ce2f255f7b2f4269abe129fc22d44dac",
            "be1c88eb718a306d8144d9ad5ffc2a982f37c89610b85bad2d713dbe891f8a0cb2775b324afe3ec19d8722c37d60b88b24a7afc94feea37ff0472b5a79e18d04"
        ),
        (
            [],
            "0865fe0918d95942b46eaaf58a79b4af7aa6b29d31d5326c97b25c4affe385b1",
            "7633b269f0f9a06509ccc58af6a87700429615a66b1ba5e2e6b26522b6b751d32726f599387a6aec8a2d7872855d75fea6e9cf6e8b3f69282e15b7bf45620a0a"
        ),
    ]

    @Test func signaturesMatchMariaDBLogins() {
        for v in Self.mariaDBLogins {
            #expect(MariaDBEd25519.sign(nonce: edHex(v.nonce), password: v.password) == edHex(v.response))
        }
    }

    // MARK: swift-crypto cross-check

    @Test func signaturesVerifyUnderSwiftCrypto() throws {
        var rng = EdSplitMix64(seed: 0x5EED_ED25_519)
        for round in 0..<32 {
            let password = edRandomBytes(count: Int.random(in: 0...100, using: &rng), using: &rng)
            let message = edRandomBytes(count: round == 0 ? 0 : Int.random(in: 1...200, using: &rng), using: &rng)
            let publicKey = MariaDBEd25519.publicKey(password: password)
            let signature = MariaDBEd25519.sign(nonce: message, password: password)
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
            #expect(key.isValidSignature(signature, for: message), "password \(password), message \(message)")
            // A different message, or a flipped bit, must not verify.
            #expect(!key.isValidSignature(signature, for: message + [0]))
            var bent = signature
            bent[Int.random(in: 0..<64, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            #expect(!key.isValidSignature(bent, for: message))
        }
    }

    @Test func thirtyTwoBytePasswordsAreSwiftCryptoSeeds() throws {
        var rng = EdSplitMix64(seed: 32)
        for _ in 0..<16 {
            let seed = edRandomBytes(count: 32, using: &rng)
            let theirs = try Curve25519.Signing.PrivateKey(rawRepresentation: seed).publicKey.rawRepresentation
            #expect(MariaDBEd25519.publicKey(password: seed) == Array(theirs))
        }
    }

    // MARK: Shape

    @Test func deterministicAndSized() {
        let nonce = edHex("64bcea45749a3073ad805e6d3cdf65f3d97628d62c21061800e1ec9087dacb12")
        let pw = Array("secret".utf8)
        let sig = MariaDBEd25519.sign(nonce: nonce, password: pw)
        #expect(sig.count == MariaDBEd25519.signatureLength && sig.count == 64)
        #expect(MariaDBEd25519.sign(nonce: nonce, password: pw) == sig)
        #expect(MariaDBEd25519.publicKey(password: pw).count == MariaDBEd25519.publicKeyLength)
        #expect(MariaDBEd25519.publicKey(password: []).count == 32)
        #expect(MariaDBEd25519.sign(nonce: [], password: []).count == 64)
        // The signature's R is the nonce point, so it changes with the message; S < L < 2^253.
        let other = MariaDBEd25519.sign(nonce: nonce.reversed(), password: pw)
        #expect(other.prefix(32) != sig.prefix(32))
        #expect(sig[63] & 0xE0 == 0 && other[63] & 0xE0 == 0)
        #expect(MariaDBEd25519.sign(nonce: nonce, password: pw + [0]) != sig)
    }

    // MARK: Arithmetic

    @Test func fieldArithmetic() {
        // d·121666 = -121665.
        #expect(FieldElement.d * FieldElement(121_666, 0, 0, 0, 0) == -FieldElement(121_665, 0, 0, 0, 0))
        #expect(FieldElement.d + FieldElement.d == FieldElement.d2)
        // p - 1 encodes canonically, and p itself encodes as 0.
        let pMinus1 = FieldElement.zero - .one
        #expect(pMinus1.encoded() == [0xEC] + Array(repeating: 0xFF, count: 30) + [0x7F])
        #expect(FieldElement(bytes: [0xED] + Array(repeating: 0xFF, count: 30) + [0x7F]).encoded() == Array(repeating: 0, count: 32))
        // Inverses, on the base point's coordinates and on p - 1 (its own inverse).
        for e in [EdwardsPoint.base.x, EdwardsPoint.base.y, FieldElement.d, pMinus1] {
            #expect(e * e.inverted() == .one)
        }
        #expect(pMinus1.inverted() == pMinus1)
        // Round trip through bytes.
        var rng = EdSplitMix64(seed: 7)
        for _ in 0..<32 {
            var bytes = edRandomBytes(count: 32, using: &rng)
            bytes[31] &= 0x7F
            if bytes[31] == 0x7F { bytes[31] = 0x7E }  // stay below p
            let e = FieldElement(bytes: bytes)
            #expect(e.encoded() == bytes)
            #expect((e + e - e - e).encoded() == Array(repeating: 0, count: 32))
        }
    }

    @Test func pointArithmetic() {
        let b = EdwardsPoint.base
        #expect(b.isOnCurve)
        #expect(b.encoded() == edHex("5866666666666666666666666666666666666666666666666666666666666666"))
        #expect(EdwardsPoint.identity.encoded() == [1] + Array(repeating: 0, count: 31))
        #expect(b.doubled().encoded() == (b + b).encoded())
        #expect((b.doubled() + b).encoded() == EdwardsPoint.multiplyBase(scalar: [3] + Array(repeating: 0, count: 31)).encoded())
        #expect((b + .identity).encoded() == b.encoded())
        #expect(EdwardsPoint.multiplyBase(scalar: [1] + Array(repeating: 0, count: 31)).encoded() == b.encoded())
        // L·B is the identity; (L + 1)·B is B.
        let order = Ed25519Scalar.encode(Ed25519Scalar.order)
        #expect(EdwardsPoint.multiplyBase(scalar: order).encoded() == EdwardsPoint.identity.encoded())
        var orderPlus1 = order
        orderPlus1[0] += 1
        #expect(EdwardsPoint.multiplyBase(scalar: orderPlus1).encoded() == b.encoded())
        #expect(EdwardsPoint.multiplyBase(scalar: Array(repeating: 0xFF, count: 32)).isOnCurve)
    }

    /// Expected values computed with Python's big integers.
    @Test func scalarArithmetic() {
        let zero = Array(repeating: UInt8(0), count: 32)
        let order = Ed25519Scalar.encode(Ed25519Scalar.order)
        #expect(order == edHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"))
        #expect(Ed25519Scalar.reduce(order + zero) == zero)
        #expect(Ed25519Scalar.reduce(Array(repeating: 0xFF, count: 64)) == edHex("000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903"))
        let h = Array(SHA512.hash(data: Array("vigil".utf8)))
        #expect(Ed25519Scalar.reduce(h) == edHex("72413d2080b24e1b8aa95f6fdde4ff89d660096500e3fdac75cf2b92a72a3608"))
        let ones = Array(repeating: UInt8(0xFF), count: 32)
        #expect(Ed25519Scalar.mulAdd(ones, ones, ones) == edHex("d14df91389432c25ad60ff9791b9fd1d67bef517d273ecce3d9a307c1b419903"))
        let a = Array(SHA256.hash(data: Array("a".utf8))), b = Array(SHA256.hash(data: Array("b".utf8)))
        let c = Array(SHA256.hash(data: Array("c".utf8)))
        #expect(Ed25519Scalar.mulAdd(a, b, c) == edHex("d692f2031fa45d1a5e7f5d347cc603609c33cfb563912525d15f4555dae97a06"))
        #expect(Ed25519Scalar.mulAdd(order, a, zero) == zero)
        #expect(Ed25519Scalar.mulAdd(zero, a, order) == zero)
    }
}

// MARK: Helpers

private func edHex(_ s: String) -> [UInt8] {
    let digits = Array(s.utf8)
    precondition(digits.count % 2 == 0)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

private func edRandomBytes(count: Int, using rng: inout EdSplitMix64) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Seeded, so a failure reproduces.
private struct EdSplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
