import VigilEngine
import VigilMySQL

/// A scripted `SQLSession`: records every statement and answers from rules, first match
/// wins; a statement no rule matches gets an empty OK. Rules match on a statement prefix
/// and may be limited to a number of uses (e.g. the processlist differs between reads).
actor FakeSession: SQLSession {
    private struct Rule {
        var prefix: String
        var remaining: Int?
        var answer: Result<MySQLResult, any Error>
    }

    private var rules: [Rule] = []
    private(set) var statements: [String] = []

    func on(_ prefix: String, times: Int? = nil, reply result: MySQLResult) {
        rules.append(Rule(prefix: prefix, remaining: times, answer: .success(result)))
    }

    func on(_ prefix: String, times: Int? = nil, fail error: any Error) {
        rules.append(Rule(prefix: prefix, remaining: times, answer: .failure(error)))
    }

    func query(_ sql: String) async throws -> MySQLResult {
        statements.append(sql)
        guard let index = rules.firstIndex(where: { sql.hasPrefix($0.prefix) && $0.remaining != 0 }) else {
            return MySQLResult()
        }
        if let remaining = rules[index].remaining { rules[index].remaining = remaining - 1 }
        return try rules[index].answer.get()
    }
}

extension MySQLResult {
    /// One row of named text columns.
    static func row(_ pairs: KeyValuePairs<String, String?>) -> MySQLResult {
        MySQLResult(columnNames: pairs.map(\.key), textRows: [pairs.map(\.value)])
    }

    static func table(_ columns: [String], _ rows: [[String?]]) -> MySQLResult {
        MySQLResult(columnNames: columns, textRows: rows)
    }
}

extension MySQLError {
    static func server(_ code: UInt16, _ state: String, _ message: String) -> MySQLError {
        .server(MySQLServerError(code: code, sqlState: state, message: message))
    }
}
