import VigilCore

/// Renders a `my.cnf` for one instance. Every instance starts read-only and without
/// replication threads: Vigil decides who is primary and repoints replicas itself, so a
/// restarting server must never resume writing or replicating on its own.
public enum ServerConfigRenderer {
    public static func render(_ config: ServerConfig) throws(ConfigError) -> String {
        try validate(config)
        var file = OptionFile()
        file.comment("Rendered by Vigil for instance \(config.instanceName) (\(config.flavor)). Vigil rewrites this file; do not edit.")
        file.section("mysqld")

        file.comment("Identity and network")
        file.set("server_id", config.serverID)
        file.set("port", config.port)
        if let socket = config.socket { file.set("socket", socket) }
        file.set("bind_address", config.bindAddress)
        file.set("datadir", config.dataDirectory)
        if let pidFile = config.pidFile { file.set("pid_file", pidFile) }
        if let errorLog = config.errorLog { file.set("log_error", errorLog) }
        file.set("report_host", config.reportHost)
        file.set("report_port", config.reportPort ?? config.port)

        file.comment("Binary log and GTIDs (fixed file names: a changed hostname must not rename them)")
        file.set("log_bin", "binlog")
        file.set("relay_log", "relay-bin")
        file.set("binlog_format", "ROW")
        switch config.flavor {
        case .mysql:
            file.set("gtid_mode", "ON")
            file.set("enforce_gtid_consistency", "ON")
            file.set("log_replica_updates", "ON")
        case .mariadb:
            file.set("gtid_strict_mode", "ON")
            file.set("gtid_domain_id", config.gtidDomainID)
            file.set("log_slave_updates", "ON")
        }

        file.comment("Durability: a crash must not lose a commit a client saw succeed")
        file.set("sync_binlog", 1)
        file.set("innodb_flush_log_at_trx_commit", 1)
        file.set("sync_relay_log", 1)
        file.set("relay_log_recovery", "ON")

        file.comment("Start fenced: read-only, no replication until Vigil says where from")
        file.set("read_only", "ON")
        switch config.flavor {
        case .mysql:
            file.set("super_read_only", "ON")
            file.set("skip_replica_start", "ON")
            file.set("replica_net_timeout", config.replicaNetTimeoutSeconds)
        case .mariadb:
            file.set("skip_slave_start", "ON")
            file.set("slave_net_timeout", config.replicaNetTimeoutSeconds)
            // A restarting former primary comes back as a replica (MDEV-21117): with
            // semi-sync replica on, crash recovery truncates binlog transactions that no
            // replica acknowledged instead of resurrecting them as errant transactions.
            file.set("init_rpl_role", "SLAVE")
        }

        switch config.flavor {
        case .mysql:
            file.comment("Plugins: clone (provisioning replicas)" + (config.semiSync == .lossless ? " and semi-sync" : ""))
            file.set("plugin_load_add", "mysql_clone.so")
            // X Protocol would claim port 33060 on every instance of a host.
            file.set("mysqlx", "OFF")
            if config.semiSync == .lossless {
                file.set("plugin_load_add", "semisync_source.so")
                file.set("plugin_load_add", "semisync_replica.so")
                file.comment("Lossless semi-sync; enabled at runtime on the primary once a replica is connected")
                file.set("rpl_semi_sync_source_wait_point", "AFTER_SYNC")
                file.set("rpl_semi_sync_source_timeout", SemiSyncSettings.losslessTimeoutMilliseconds)
            }
        case .mariadb:
            if config.semiSync == .lossless {
                file.comment("Lossless semi-sync; the source side is enabled at runtime on the primary")
                file.set("rpl_semi_sync_slave_enabled", "ON")
                file.set("rpl_semi_sync_master_wait_point", "AFTER_SYNC")
                file.set("rpl_semi_sync_master_timeout", SemiSyncSettings.losslessTimeoutMilliseconds)
            }
        }

        if !config.extra.isEmpty {
            file.comment("Extra options")
            for option in config.extra { file.set(option.name, option.value) }
        }
        return file.text
    }

    static func validate(_ config: ServerConfig) throws(ConfigError) {
        func fail(_ problem: String) -> ConfigError { ConfigError(instance: config.instanceName, problem: problem) }
        guard config.serverID != 0 else { throw fail("server_id must be 1…4294967295 (0 disables replication)") }
        guard (1...65535).contains(config.port) else { throw fail("port \(config.port) is not 1…65535") }
        if let reportPort = config.reportPort, !(1...65535).contains(reportPort) {
            throw fail("report_port \(reportPort) is not 1…65535")
        }
        guard config.replicaNetTimeoutSeconds >= 1 else { throw fail("the replica net timeout must be at least 1 s") }
        guard !config.dataDirectory.isEmpty else { throw fail("datadir is empty") }
        var values: [(String, String)] = [
            ("instance name", config.instanceName), ("datadir", config.dataDirectory),
            ("bind_address", config.bindAddress), ("report_host", config.reportHost),
        ]
        if let socket = config.socket { values.append(("socket", socket)) }
        if let pidFile = config.pidFile { values.append(("pid_file", pidFile)) }
        if let errorLog = config.errorLog { values.append(("log_error", errorLog)) }
        for option in config.extra {
            guard !option.name.isEmpty, option.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else { throw fail("option name '\(option.name)' must be letters, digits, '_' or '-'") }
            if let value = option.value { values.append((option.name, value)) }
        }
        for (name, value) in values {
            // Option files have no escape for these that every server version agrees on.
            if value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\"" || $0 == "\\" || $0 == "\0" }) {
                throw fail("\(name) may not contain a line break, a double quote, a backslash or NUL")
            }
        }
    }
}

/// Line-by-line builder for an option file.
struct OptionFile {
    private(set) var text = ""

    mutating func comment(_ line: String) {
        if !text.isEmpty, !text.hasSuffix("]\n"), !text.hasSuffix("\n\n") { text += "\n" }
        text += "# \(line)\n"
    }

    mutating func section(_ name: String) {
        text += "[\(name)]\n"
    }

    mutating func set(_ name: String, _ value: some BinaryInteger) {
        set(name, String(value))
    }

    mutating func set(_ name: String, _ value: String?) {
        guard let value else {
            text += "\(name)\n"
            return
        }
        // Quote values a reader would otherwise cut short (a '#' starts a comment) or trim.
        let needsQuotes = value.isEmpty || value.contains("#") || value.contains("'")
            || value.first?.isWhitespace == true || value.last?.isWhitespace == true
        text += "\(name) = \(needsQuotes ? "\"\(value)\"" : value)\n"
    }
}
