import Foundation
import VigilControl
import VigilCore
import VigilEngine
import VigilMySQL

/// `vigil local rebuild NAME`: a replica (typically a quarantined former primary holding its
/// unacknowledged tail) gets a fresh copy of the primary's data with mariadb-backup and rejoins
/// at the copy's GTID position. MariaDB cannot roll back committed transactions; a copy is the
/// way back that keeps no divergent transaction.
extension LocalSupervisor {
    func rebuild(_ name: String) async -> ControllerReply {
        let started = ContinuousClock.now
        func reply(_ accepted: Bool, _ reason: String) -> ControllerReply {
            ControllerReply(accepted: accepted, state: machine.status.state.name, reason: reason, trail: [])
        }
        guard let index = names.firstIndex(of: name) else { return reply(false, "no instance \(name)") }
        guard let primary = machine.status.primary, primary != name, role(primary) == "primary",
              let source = names.firstIndex(of: primary) else {
            return reply(false, "\(name) can be rebuilt only from a writable primary other than itself")
        }
        guard machine.status.operation == nil else { return reply(false, "a failover or switchover is in progress") }
        guard !rebuilding.contains(name) else { return reply(false, "\(name) is already being rebuilt") }
        guard let tool = Spawn.tool(["mariadb-backup", "mariabackup"], near: spec.mysqldPath) else {
            return reply(false, "mariadb-backup not found; install it with `apt-get install mariadb-backup`")
        }
        // Lossless semi-sync with no replica connected: every commit waits for an
        // acknowledgement, and so would the copy (BACKUP STAGE BLOCK_COMMIT) — forever.
        if spec.mode == .lossless, case .failed = await actions.on(primary, { ops in
            let rows = try await ops.session.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'").rows
            if (rows.first?[1].int ?? 0) == 0 { throw LocalError.failed("no semi-sync replica") }
        }) {
            return reply(false, "\(primary) has no replica acknowledging its commits (lossless semi-sync): a copy would wait for one forever. Bring a replica back first (or `unquarantine` one, accepting its divergence)")
        }
        rebuilding.insert(name)
        defer { rebuilding.remove(name) }
        log(decision: nil, instance: name).notice("rebuilding \(name) from \(primary) with \(tool)")
        event("process", "rebuild from \(primary) started", instance: name)
        let result = await copyAndRejoin(name, index: index, from: primary, source: source, tool: tool)
        let elapsed = ContinuousClock.now - started
        switch result {
        case .success(let gtid):
            let text = "rebuilt \(name) from \(primary) at GTID \(gtid.isEmpty ? "(none yet)" : gtid) in \(elapsed); it rejoins as a replica"
            log(decision: nil, instance: name).notice("\(text)")
            event("process", text, instance: name)
            return reply(true, text)
        case .failure(let error):
            log(decision: nil, instance: name).error("rebuild of \(name) failed: \(error)")
            event("process", "rebuild failed: \(error)", instance: name)
            return reply(false, "rebuild of \(name) failed: \(error)")
        }
    }

    private func copyAndRejoin(_ name: String, index: Int, from primary: String, source: Int,
                               tool: String) async -> Result<String, LocalError> {
        let dir = layout.instanceDirectory(name)
        let target = dir + "/rebuild"
        let fm = FileManager.default
        try? fm.removeItem(atPath: target)
        // The password goes in a 0600 options file, never on a command line.
        let options = dir + "/rebuild.cnf"
        let text = "[client]\nuser=\(SystemAccount.admin.user)\npassword=\(credentials.password(SystemAccount.admin.user))\n"
        guard fm.createFile(atPath: options, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            return .failure(.failed("cannot write \(options)"))
        }
        defer { try? fm.removeItem(atPath: options) }
        let log = dir + "/rebuild.log"
        let primaryName = primary
        var backup = ["--defaults-extra-file=\(options)", "--backup", "--target-dir=\(target)",
                      "--datadir=\(layout.dataDirectory(primaryName))", "--host=127.0.0.1", "--port=\(spec.mysqlPort(source))"]
        if geteuid() == 0 { backup.append("--user=\(SystemAccount.admin.user)") }
        do {
            try await run(tool, backup, log: log, what: "mariadb-backup --backup from \(primaryName)", within: .seconds(300))
            try await run(tool, ["--prepare", "--target-dir=\(target)"], log: log, what: "mariadb-backup --prepare", within: .seconds(300))
        } catch {
            try? fm.removeItem(atPath: target)
            return .failure(error)
        }
        guard let gtid = Self.backupGTID(target) else {
            try? fm.removeItem(atPath: target)
            return .failure(.failed("the backup in \(target) records no GTID position (mariadb_backup_binlog_info)"))
        }
        // Only now is the old data given up: stop the server and swap the directories.
        var server = servers[index]
        await server.stop()
        servers[index] = server
        probes[name] = nil
        let data = layout.dataDirectory(name)
        do {
            try? fm.removeItem(atPath: data + ".old")
            try fm.moveItem(atPath: data, toPath: data + ".old")
            try fm.moveItem(atPath: target, toPath: data)
            try? fm.removeItem(atPath: data + ".old")
            try servers[index].startServer(spec.mysqldPath, layout: layout)
        } catch {
            return .failure(error as? LocalError ?? .failed("swapping in the copy: \(error)"))
        }
        // The copy has no binlog of its own: its position is the backup's, set before anything
        // replicates, so replication starts right after the copied data.
        do {
            let ops = try await connectAdmin(name, deadline: .now + .seconds(60))
            defer { if let conn = ops.session as? MySQLConnection { Task { await conn.close() } } }
            _ = try await ops.fence(reason: "rebuilt from \(primaryName); rejoining as a replica")
            _ = try await ops.session.query("SET GLOBAL gtid_slave_pos = '\(gtid)'")
        } catch {
            return .failure(error as? LocalError ?? .failed("setting the copy's GTID position on \(name): \(error)"))
        }
        if machine.status.quarantined[name] != nil {
            // Leaving quarantine makes the controller repoint it (no containment check is
            // needed: its data is the primary's).
            handle(.operatorCommand(.unquarantine(name)))
        } else if case .failed(let why) = await actions.repoint(name, to: primaryName, checkContainment: true) {
            return .failure(.failed("repointing \(name) to \(primaryName): \(why)"))
        }
        return .success(gtid)
    }

    /// Runs a tool to completion (bounded), its output appended to `log`.
    private func run(_ tool: String, _ arguments: [String], log: String, what: String, within limit: Duration) async throws(LocalError) {
        guard let status = try await Spawn.run(tool, arguments, log: log, within: limit) else {
            throw .failed("\(what) did not finish within \(limit); see \(log)")
        }
        guard status == 0 else { throw .failed("\(what) failed (status \(status)):\n\(Spawn.tail(log))") }
    }

    /// The GTID position the backup was taken at: the third field of mariadb_backup_binlog_info
    /// (xtrabackup_binlog_info in older releases); empty for a primary that has written nothing.
    static func backupGTID(_ target: String) -> String? {
        for file in ["mariadb_backup_binlog_info", "xtrabackup_binlog_info"] {
            guard let text = try? String(contentsOfFile: target + "/" + file, encoding: .utf8) else { continue }
            let fields = text.split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\n" }).map(String.init)
            if fields.count == 2 { return "" }
            if fields.count >= 3, MariaDBGTIDPosition(fields[2]) != nil { return fields[2] }
        }
        return nil
    }
}
