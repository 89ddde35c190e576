/// Who can talk to whom. Node -1 is the controller, 0..<n the instances (each instance's mysqld
/// and agent share a host, so they share its links). Clients reach every instance: the most
/// adversarial choice for split-brain checks.
struct SimNetwork {
    static let controller = -1
    private var cut: Set<Int> = []

    private static func key(_ a: Int, _ b: Int) -> Int {
        let (low, high) = a < b ? (a, b) : (b, a)
        return (low + 1) * 64 + (high + 1)
    }

    func linked(_ a: Int, _ b: Int) -> Bool { a == b || !cut.contains(Self.key(a, b)) }

    mutating func setLink(_ a: Int, _ b: Int, up: Bool) {
        if up { cut.remove(Self.key(a, b)) } else { cut.insert(Self.key(a, b)) }
    }

    mutating func healAll() { cut.removeAll() }

    var isHealed: Bool { cut.isEmpty }
}
