import VigilControl
import VigilEngine

/// A local group's instances: every server and agent on 127.0.0.1, ports from the spec.
struct LocalDirectory: InstanceDirectory {
    let spec: LocalSpec

    func mysqlEndpoint(_ name: String) -> (host: String, port: Int)? {
        spec.index(of: name).map { ("127.0.0.1", spec.mysqlPort($0)) }
    }

    func replicationSource(_ name: String) -> ReplicationSource? {
        spec.index(of: name).map { ReplicationSource(host: "127.0.0.1", port: spec.mysqlPort($0)) }
    }

    func agentSidecarURL(_ name: String) -> String? {
        spec.index(of: name).map(spec.agentSidecarURL)
    }
}

typealias LocalActions = InstanceActions<LocalDirectory>
