import Foundation
import VigilCore

// Placeholder until the agent lands: config files and pokes.
extension LocalSupervisor {
    func writeAgentConfigs() throws(LocalError) {}
    func pokeAgent(_ name: String) {}
}
