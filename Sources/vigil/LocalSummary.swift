import Foundation
import VigilLocal

/// Human-readable output of `vigil local up` and `status`.
enum Summary {
    static func up(layout: LocalLayout, state: LocalState, verb: String, seconds: Double) -> String {
        let s = state.spec
        return """
        Vigil local group \(verb) in \(String(format: "%.1f", seconds)) s: \(s.instances) × MariaDB (\(s.mode == .lossless ? "lossless semi-sync" : "async")), primary \(state.primary)
          read-write  127.0.0.1:\(s.routerReadWritePort)   (always the primary)
          read-only   127.0.0.1:\(s.routerReadOnlyPort)   (healthy replicas, round robin)
          credentials \(layout.credentialsFile) (mode 0600; account "app" owns database "app")
        Connect:
          mariadb -h127.0.0.1 -P\(s.routerReadWritePort) -uapp -p"$(python3 -c 'import json;print(json.load(open("\(layout.credentialsFile)"))["app"]["password"])')" app
        Then: vigil local status --dir \(layout.root) | vigil local down --dir \(layout.root) | vigil local destroy --yes --dir \(layout.root)
        """
    }

    static func status(running: Bool, data: Data?, state: LocalState) -> String {
        guard running, let data, let status = try? JSONDecoder().decode(LocalStatus.self, from: data) else {
            return "group is \(running ? "starting" : "stopped") (phase \(state.phase.rawValue))\(state.failure.map { ": " + $0 } ?? "")"
        }
        var out = "group \(status.group): \(status.phase), mode \(status.mode), primary \(status.primary ?? "none")\n"
        out += "router read-write \(status.router.readWrite) → \(status.router.readWriteTarget ?? "(no target)"), read-only \(status.router.readOnly) → \(status.router.readOnlyTargets.isEmpty ? "(no target)" : status.router.readOnlyTargets.joined(separator: ", "))\n"
        out += "NAME  SITE  ROLE     HEALTHY  PORT   PID      RESTARTS  LAG   GTID\n"
        for i in status.instances {
            out += [i.name.padding(toLength: 5, withPad: " ", startingAt: 0), i.site.padding(toLength: 5, withPad: " ", startingAt: 0),
                    i.role.padding(toLength: 8, withPad: " ", startingAt: 0), (i.healthy ? "yes" : "no").padding(toLength: 8, withPad: " ", startingAt: 0),
                    String(i.port).padding(toLength: 6, withPad: " ", startingAt: 0), (i.pid.map(String.init) ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0),
                    String(i.restarts).padding(toLength: 9, withPad: " ", startingAt: 0), (i.lagSeconds.map { String(Int($0)) } ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0),
                    i.gtid ?? "-"].joined(separator: " ") + "\n"
        }
        out += "last failover: \(status.lastFailover.map { "\($0.from) → \($0.to) (\($0.reason))" } ?? "none"); cooldown: \(status.cooldownUntil ?? "none")"
        return out
    }
}
