/// Generated account passwords. `SystemRandomNumberGenerator` reads the kernel's CSPRNG
/// (getrandom on Linux, arc4random on Darwin), and `randomElement(using:)` draws without
/// modulo bias. Letters and digits only: no quoting surprises in SQL, shells or URLs.
public enum PasswordGenerator {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// 32 characters ≈ 190 bits of entropy.
    public static func generate(length: Int = 32) -> String {
        precondition(length >= 24, "system account passwords are at least 24 characters")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
