import VigilControl
import VigilEngine

/// A local group's instances: every server and agent on 127.0.0.1, ports from the spec (the
/// controller's own links, with fault links).
struct LocalDirectory: InstanceDirectory {
    let spec: LocalSpec

    func mysqlEndpoint(_ name: String) -> (host: String, port: Int)? {
        spec.index(of: name).map { ("127.0.0.1", spec.controllerMySQLPort($0)) }
    }

    func replicationSource(_ name: String, for replica: String) -> ReplicationSource? {
        guard let source = spec.index(of: name), let replica = spec.index(of: replica) else { return nil }
        return ReplicationSource(host: "127.0.0.1", port: spec.replicationPort(source: source, replica: replica))
    }

    func agentSidecarURL(_ name: String) -> String? {
        spec.index(of: name).map(spec.controllerAgentURL)
    }
}

typealias LocalActions = InstanceActions<LocalDirectory>
