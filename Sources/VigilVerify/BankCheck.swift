public struct BankFindings: Codable, Sendable, Equatable {
    /// accounts × initialBalance: transfers move money, never create or destroy it.
    public var expectedTotal: Int
    /// Ok reads and final reads whose total differs from `expectedTotal`.
    public var drift: [BalanceDrift]
    public var negativeBalances: [NegativeBalance]

    public var isClean: Bool { drift.isEmpty && negativeBalances.isEmpty }
}

public struct BalanceDrift: Codable, Sendable, Equatable {
    public var source: ReadSource
    public var total: Int
}

public struct NegativeBalance: Codable, Sendable, Equatable {
    public var source: ReadSource
    public var account: Int
    public var balance: Int
}

/// Bank invariants on every successful read and on every reachable instance's final read
/// (replicas too: a lagging replica is still a consistent snapshot, so its total must hold).
enum BankCheck {
    static func check(_ history: History, accounts: Int, initialBalance: Int) -> BankFindings {
        var findings = BankFindings(expectedTotal: accounts * initialBalance, drift: [], negativeBalances: [])
        func inspect(_ balances: [Int: Int], _ source: ReadSource) {
            let total = balances.values.reduce(0, +)
            if total != findings.expectedTotal { findings.drift.append(BalanceDrift(source: source, total: total)) }
            for (account, balance) in balances.sorted(by: { $0.key < $1.key }) where balance < 0 {
                findings.negativeBalances.append(NegativeBalance(source: source, account: account, balance: balance))
            }
        }
        for operation in history.operations.sorted(by: { $0.id < $1.id }) where operation.outcome == .ok {
            if case .readBalances(let balances?) = operation.op {
                inspect(balances, ReadSource(operationID: operation.id))
            }
        }
        for read in history.finalReads.sorted(by: { $0.instance < $1.instance }) where read.reachable {
            if let balances = read.balances { inspect(balances, ReadSource(instance: read.instance)) }
        }
        return findings
    }
}
