import Foundation
import VigilMySQL

/// Renders results for `vigil sql`: an aligned table like the mariadb client, or JSON.
enum ResultPrinter {
    static func table(_ results: [MySQLResult]) -> String {
        var out = ""
        for r in results {
            guard r.hasResultSet else {
                out += "Query OK, \(r.affectedRows) row\(r.affectedRows == 1 ? "" : "s") affected"
                if r.lastInsertID != 0 { out += ", last insert id \(r.lastInsertID)" }
                out += r.warnings > 0 ? ", \(r.warnings) warning(s)\n" : "\n"
                continue
            }
            let header = r.columns.map(\.name)
            let cells = r.rows.map { row in (0..<row.count).map { row[$0].string ?? "NULL" } }
            var widths = header.map(\.count)
            for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
            let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
            func line(_ values: [String]) -> String {
                "|" + values.enumerated().map { " " + $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) + " " }
                    .joined(separator: "|") + "|\n"
            }
            out += rule + line(header) + rule
            for row in cells { out += line(row) }
            out += rule + "\(cells.count) row\(cells.count == 1 ? "" : "s") in set\n"
        }
        return out
    }

    static func json(_ results: [MySQLResult]) -> String {
        let objects: [[String: Any]] = results.map { r in
            if !r.hasResultSet {
                return ["affectedRows": r.affectedRows, "lastInsertId": r.lastInsertID, "warnings": r.warnings]
            }
            let names = r.columns.map(\.name)
            let rows: [[String: Any]] = r.rows.map { row in
                var o: [String: Any] = [:]
                for (i, n) in names.enumerated() { o[n] = jsonValue(row[i]) }
                return o
            }
            return ["columns": names, "rows": rows]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects.count == 1 ? objects[0] : objects,
                                                options: [.sortedKeys])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func jsonValue(_ v: MySQLValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .int(let i): return i
        case .uint(let u): return u
        case .double(let d): return d
        default: return v.string ?? NSNull()
        }
    }
}
