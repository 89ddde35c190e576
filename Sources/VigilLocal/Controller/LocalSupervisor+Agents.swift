import Foundation
import VigilAgent
import VigilCore

/// The agents of a local group (one `vigil agent` process per instance) and the controller's
/// side of talking to them.
extension LocalSupervisor {
    /// This very executable: the agents are `vigil agent`.
    static var vigilExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    func agentURLs(index i: Int) -> LocalStatus.URLs {
        LocalStatus.URLs(
            role: "http://127.0.0.1:\(spec.agentRoleProbePort(i))/v1.0/getrole",
            status: spec.agentSidecarURL(i) + AgentAPI.statusPath,
            metrics: "http://127.0.0.1:\(spec.agentMetricsPort(i))/metrics")
    }

    /// Starts missing agents and restarts dead ones with backoff.
    func superviseAgents(now: ContinuousClock.Instant) {
        let executable = Self.vigilExecutable
        for i in agents.indices {
            if let status = agents[i].checkExited(now: now) {
                logger.warning("agent \(agents[i].name) exited (status \(status)); restart \(agents[i].restarts) scheduled")
            }
            if agents[i].pid == nil, agents[i].nextStart.map({ $0 <= now }) ?? true {
                let name = agents[i].name
                do {
                    try agents[i].start(executable, ["agent", "--config", layout.agentConfigFile(name)], log: layout.agentLog(name))
                    if let pid = agents[i].pid {
                        try? FileWriting.atomicWrite(Data("\(pid)\n".utf8), to: layout.agentPIDFile(name), mode: 0o644)
                    }
                } catch {
                    logger.error("cannot start the agent of \(name): \(error)")
                    agents[i].nextStart = now + SupervisedProcess.maxBackoff
                }
            }
        }
    }

    func stopAgents() async {
        await withTaskGroup(of: Void.self) { group in
            for i in agents.indices {
                var agent = agents[i]
                group.addTask { await agent.stop(timeout: .seconds(10)) }
            }
        }
        for i in agents.indices { agents[i].pid = nil }
    }

    /// An agent's heartbeat: the machine's reply is the controller's word.
    func heartbeat(_ report: AgentReport) -> ControllerWord {
        let decision = handle(.agentReported(report))
        for action in decision.actions {
            if case .replyToAgent(let name, let word) = action.kind, name == report.instance { return word }
        }
        return machine.word
    }

    func requestSwitchover(to target: String?) -> ControllerReply {
        let decision = handle(.switchoverRequested(target: target))
        return reply(decision, accepted: !decision.trail.contains { $0.code == .switchoverRefused })
    }

    func operatorCommand(_ command: OperatorCommand) -> ControllerReply {
        let decision = handle(.operatorCommand(command))
        return reply(decision, accepted: !decision.trail.contains { $0.code == .operatorRefused })
    }

    private func reply(_ decision: Decision, accepted: Bool) -> ControllerReply {
        ControllerReply(accepted: accepted, state: decision.state.name, reason: decision.reason.description,
                        trail: decision.trail.map(\.description))
    }
}
