/// Quoting for the few places where values must be spelled into SQL text (DDL such as
/// `CREATE USER`, `CHANGE REPLICATION SOURCE TO` and `SET GLOBAL` take no placeholders).
public enum SQL {
    /// A string literal in single quotes, escaped like `mysql_real_escape_string`: backslash,
    /// both quote characters, NUL, newline, carriage return and Ctrl-Z.
    ///
    /// This spelling is correct under the default `sql_mode`. Under `NO_BACKSLASH_ESCAPES`
    /// a backslash is an ordinary character; use `quote(_:noBackslashEscapes: true)` there.
    public static func quote(_ value: String, noBackslashEscapes: Bool = false) -> String {
        var out = "'"
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            if noBackslashEscapes {
                // Doubling the quote is the only escape that mode knows.
                if scalar == "'" { out += "''" } else { out.unicodeScalars.append(scalar) }
                continue
            }
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "\0": out += "\\0"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{1A}": out += "\\Z"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "'"
        return out
    }

    /// An identifier in backticks; a backtick inside is doubled, which is the only escape
    /// identifiers have (backslash means nothing there).
    public static func identifier(_ name: String) -> String {
        "`" + name.replacing("`", with: "``") + "`"
    }

    /// An account name, `'user'@'host'`.
    public static func account(user: String, host: String) -> String {
        quote(user) + "@" + quote(host)
    }
}
