import Foundation
import VigilAgent
import VigilControl
import VigilCore
import VigilEngine
import VigilHTTP

/// The controller's side of the agents: their configuration files (mode 0600: they hold the
/// admin password and the shared token) and pokes.
extension LocalSupervisor {
    func agentConfig(index i: Int) -> AgentConfig {
        let name = spec.instanceName(i)
        let peers = (0..<spec.instances).filter { $0 != i }.map {
            AgentConfig.Peer(name: spec.instanceName($0), sidecar: spec.peerAgentURL(from: i, to: $0))
        }
        return AgentConfig(
            instance: name, flavor: .mariadb,
            mysql: .init(host: "127.0.0.1", port: spec.mysqlPort(i), user: SystemAccount.admin.user,
                         password: credentials.password(SystemAccount.admin.user)),
            pidFile: layout.pidFile(name), controller: spec.agentControllerURL(i), peers: peers,
            listen: .init(host: "127.0.0.1", roleProbePort: spec.agentRoleProbePort(i), sidecarPort: spec.agentSidecarPort(i),
                          metricsPort: spec.agentMetricsPort(i)),
            token: credentials.agentToken, lease: machine.config.lease)
    }

    func writeAgentConfigs() throws(LocalError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        for i in 0..<spec.instances {
            let path = layout.agentConfigFile(spec.instanceName(i))
            do {
                try FileWriting.atomicWrite(try encoder.encode(agentConfig(index: i)), to: path, mode: 0o600)
            } catch {
                throw .failed("cannot write \(path): \(error)")
            }
        }
    }

    /// Asks an agent to heartbeat now (the word changed). Fire and forget.
    func pokeAgent(_ name: String) {
        guard let index = spec.index(of: name) else { return }
        AgentCall.post(AgentAPI.pokePath, to: spec.controllerAgentURL(index), token: credentials.agentToken, timeout: .seconds(1))
    }
}
