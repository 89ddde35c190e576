/// One instance's final read, indexed for "did this write land here?".
struct FinalState {
    let read: FinalRead
    private let inserted: Set<Int>?
    private let lists: [Int: Set<Int>]?
    private let transfers: Set<Int>?

    init(_ read: FinalRead) {
        self.read = read
        inserted = read.insertedKeys.map(Set.init)
        lists = read.lists?.mapValues(Set.init)
        transfers = read.transfers.map(Set.init)
    }

    /// Whether the write's effect is present; nil when this read cannot tell.
    func contains(_ operation: Operation) -> Bool? {
        switch operation.op {
        case .insert(let key): inserted?.contains(key)
        case .append(let key, let value): lists.map { $0[key]?.contains(value) ?? false }
        case .transfer: transfers?.contains(operation.id)
        case .readBalances, .readList: nil
        }
    }

    /// The final primary: the one reachable instance reporting role "primary". Several
    /// primaries after healing is itself an anomaly, so none is chosen then.
    static func primary(of reads: [FinalRead]) -> (read: FinalRead?, note: String?) {
        let primaries = reads.filter { $0.reachable && $0.role == "primary" }
        switch primaries.count {
        case 1: return (primaries[0], nil)
        case 0: return (nil, "no reachable instance reported role primary after healing")
        default:
            let names = primaries.map(\.instance).sorted().joined(separator: ", ")
            return (nil, "several instances reported role primary after healing: \(names)")
        }
    }
}
