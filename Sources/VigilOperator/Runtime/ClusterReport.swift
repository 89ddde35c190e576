/// What `kubectl vigil status` prints for a cluster.
public enum ClusterReport {
    public static func text(_ cluster: MySQLCluster) -> String {
        let status = cluster.status
        var lines = [row(["NAME", "PRIMARY", "READY", "PHASE"]),
                     row([cluster.name, status?.primary ?? "-", status?.ready ?? "-", status?.phase ?? "Pending"]), ""]
        let instances = status?.instances ?? []
        if !instances.isEmpty {
            lines.append(row(["INSTANCE", "SITE", "ROLE", "HEALTHY", "LAG", "POD IP", "NODE", "GTID"]))
            for i in instances {
                lines.append(row([i.name, i.site, i.role, i.healthy ? "yes" : "no", i.lagSeconds.map { "\(Int($0))s" } ?? "-",
                                  i.podIP ?? "-", i.node ?? "-", i.gtid ?? "-"]))
            }
            lines.append("")
        }
        for condition in status?.conditions ?? [] where condition.status != "False" || condition.type == "Available" {
            lines.append("\(condition.type)=\(condition.status): \(condition.message ?? condition.reason ?? "")")
        }
        if let last = status?.lastFailover {
            lines.append("last failover: \(last.from ?? "-") → \(last.to) at \(last.startedAt) in \(last.durationMs) ms (\(last.reason))")
        }
        if let until = status?.cooldownUntil { lines.append("cooldown until \(until)") }
        if let switchover = status?.switchover {
            lines.append("switchover to \(switchover.to): \(switchover.state)\(switchover.message.map { " — \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func row(_ cells: [String]) -> String {
        let widths = [22, 10, 10, 9, 6, 16, 14]
        return cells.enumerated().map { i, cell in
            i < widths.count ? cell.padding(toLength: max(widths[i], cell.count + 1), withPad: " ", startingAt: 0) : cell
        }.joined().trimmingCharacters(in: .whitespaces)
    }
}
