/// The labels Vigil puts on what it owns (DESIGN.md "Names").
public enum ClusterLabels {
    public static let cluster = "vigil.dev/cluster"
    public static let instance = "vigil.dev/instance"
    public static let site = "vigil.dev/site"
    public static let role = "vigil.dev/role"
    public static let healthy = "vigil.dev/healthy"

    public static func owned(_ cluster: String) -> [String: String] {
        [Self.cluster: cluster, "app.kubernetes.io/name": "mysql", "app.kubernetes.io/instance": cluster,
         "app.kubernetes.io/managed-by": "vigil"]
    }

    public static func instance(_ instance: ClusterPlan.Instance, cluster: String) -> [String: String] {
        owned(cluster).merging([Self.instance: instance.name, site: instance.site]) { $1 }
    }
}

/// Fixed paths and ports inside an instance pod.
public enum PodLayout {
    public static let mysqlPort = 3306
    public static let roleProbePort = 5001
    public static let sidecarPort = 8080
    public static let metricsPort = 9187
    public static let dataPath = "/var/lib/mysql"
    public static let runPath = "/run/mysqld"
    public static let configPath = "/etc/vigil/config"
    public static let secretPath = "/etc/vigil/secret"

    public static func configFile(_ instance: String) -> String { "\(configPath)/\(instance).cnf" }
    public static func agentConfigKey(_ instance: String) -> String { "agent-\(instance).json" }
    public static let initSQLKey = "init.sql"
    public static let tokenKey = "token"
    public static let pidFile = "\(runPath)/mysqld.pid"
}
