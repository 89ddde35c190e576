/// The `init_file` a fresh server runs on its first boots: the admin and application accounts
/// and a password on root, outside the binlog so every instance starts with the same (empty)
/// GTID history. Idempotent. Holds passwords: write it with mode 0600 (or into a Secret).
public enum FirstBootSQL {
    /// `hosts`: where the admin and application accounts may connect from (`127.0.0.1` and
    /// `localhost` on one host; `%` in a pod network). root keeps `localhost` and `127.0.0.1` only.
    public static func render(adminPassword: String, appPassword: String, rootPassword: String,
                              hosts: [String], appDatabase: String = "app") -> String {
        func q(_ s: String) -> String { SQL.quote(s) }
        let app = "`" + appDatabase.replacingOccurrences(of: "`", with: "``") + "`"
        var lines = ["SET SESSION sql_log_bin=0;"]
        for host in hosts {
            lines.append("CREATE USER IF NOT EXISTS 'vigil_admin'@\(q(host)) IDENTIFIED BY \(q(adminPassword));")
            lines.append("GRANT ALL PRIVILEGES ON *.* TO 'vigil_admin'@\(q(host)) WITH GRANT OPTION;")
            lines.append("CREATE USER IF NOT EXISTS 'app'@\(q(host)) IDENTIFIED BY \(q(appPassword));")
            lines.append("GRANT ALL PRIVILEGES ON \(app).* TO 'app'@\(q(host));")
        }
        // mariadb-install-db creates password-less root accounts for several hosts: keep
        // localhost and 127.0.0.1 with the generated password, drop the rest.
        lines.append("DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1'));")
        lines.append("FLUSH PRIVILEGES;")
        lines.append("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY \(q(rootPassword));")
        lines.append("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY \(q(rootPassword));")
        lines.append("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;")
        lines.append("ALTER USER 'root'@'localhost' IDENTIFIED BY \(q(rootPassword));")
        lines.append("CREATE DATABASE IF NOT EXISTS \(app);")
        return lines.joined(separator: "\n") + "\n"
    }
}
