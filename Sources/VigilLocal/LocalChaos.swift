import Foundation
import VigilRouter

/// Faults injected into a running local group (`vigil chaos`, and `vigil verify`'s schedule):
/// signals to the processes the supervisor owns, found through the status file.
public enum LocalChaos {
    public enum Fault: String, CaseIterable, Sendable {
        case killPrimary = "kill-primary"
        case killReplica = "kill-replica"
        case pausePrimary = "pause-primary"
        case killAgent = "kill-agent"
        case killSite = "kill-site"
        case partitionPrimary = "partition-primary"
        case killController = "kill-controller"
        case heal
    }

    /// How a partition is made: who the instance is cut off from, and how the links fail.
    public struct Partition: Sendable {
        public var sides: Set<PartitionSide>
        public var fault: LinkFault
        public init(sides: Set<PartitionSide> = Set(PartitionSide.allCases), fault: LinkFault = .blackhole) {
            self.sides = sides
            self.fault = fault
        }
    }

    /// What a fault did, for the record.
    public struct Injected: Sendable {
        public var fault: Fault
        public var targets: [String]
        public var description: String
    }

    /// Injects `fault`. `target` names an instance (or a site for kill-site); by default the
    /// current primary, or the first healthy replica. `pauseFor` is how long pause-primary
    /// keeps the server stopped (the call returns after SIGCONT).
    /// partition-primary cuts the links `partition` names (replacing any partition before);
    /// they stay cut until heal. kill-controller SIGKILLs the supervisor and, with
    /// `restartAfter`, starts a new one (`executable local supervise`) that takes the group over.
    public static func inject(_ fault: Fault, layout: LocalLayout, target: String? = nil,
                              pauseFor: Duration = .seconds(15), partition: Partition = Partition(),
                              restartAfter: Duration? = nil, executable: String? = nil) async throws(LocalError) -> Injected {
        if fault == .killController {
            return try await killController(layout, restartAfter: restartAfter, executable: executable)
        }
        let (status, spec) = try currentStatus(layout)
        switch fault {
        case .killPrimary:
            let name = if let target { target } else { try primary(status) }
            try signal(SIGKILL, server: name, status)
            return Injected(fault: fault, targets: [name], description: "killed \(name)'s mariadbd with SIGKILL")
        case .killReplica:
            let name = if let target { target } else { try replica(status) }
            try signal(SIGKILL, server: name, status)
            return Injected(fault: fault, targets: [name], description: "killed \(name)'s mariadbd with SIGKILL")
        case .pausePrimary:
            let name = if let target { target } else { try primary(status) }
            let pid = try serverPID(name, status)
            kill(pid, SIGSTOP)
            try? await Task.sleep(for: pauseFor)
            kill(pid, SIGCONT)
            return Injected(fault: fault, targets: [name], description: "paused \(name)'s mariadbd for \(pauseFor) (SIGSTOP … SIGCONT)")
        case .killAgent:
            let name = if let target { target } else { try primary(status) }
            guard let text = try? String(contentsOfFile: layout.agentPIDFile(name), encoding: .utf8),
                  let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
                throw .failed("no agent pid for \(name) in \(layout.agentPIDFile(name))")
            }
            kill(pid, SIGKILL)
            return Injected(fault: fault, targets: [name], description: "killed \(name)'s agent with SIGKILL")
        case .killSite:
            guard let site = target else { throw .usage("kill-site needs --target SITE") }
            let names = status.instances.filter { $0.site == site }.map(\.name)
            guard !names.isEmpty else { throw .usage("no instance on site \(site)") }
            for name in names { try? signal(SIGKILL, server: name, status) }
            return Injected(fault: fault, targets: names, description: "killed every mariadbd on site \(site): \(names.joined(separator: ", "))")
        case .partitionPrimary:
            let name = if let target { target } else { try primary(status) }
            guard spec.faultLinks else {
                throw .usage("partitions need fault links; create the group with `vigil local up --fault-links`")
            }
            let cut = spec.partitionLinks(isolating: name, from: partition.sides)
            guard !cut.isEmpty else { throw .usage("no instance \(name)") }
            try await LocalLinks.apply(Dictionary(uniqueKeysWithValues: cut.map { ($0, partition.fault) }), layout: layout)
            let sides = PartitionSide.allCases.filter(partition.sides.contains).map(\.rawValue).joined(separator: ", ")
            return Injected(fault: fault, targets: [name],
                            description: "partitioned \(name) from \(sides) (\(partition.fault.rawValue), \(cut.count) links cut; `heal` ends it)")
        case .heal:
            var resumed: [String] = []
            for instance in status.instances {
                if let pid = instance.pid { kill(pid, SIGCONT); resumed.append(instance.name) }
            }
            var healed = ""
            if LocalLinks.pid(layout) != nil, !LocalLinks.current(layout).isEmpty {
                try await LocalLinks.apply([:], layout: layout)
                healed = "; every link healed"
            }
            return Injected(fault: fault, targets: resumed, description: "sent SIGCONT to every server (paused ones resume)\(healed)")
        case .killController:
            return try await killController(layout, restartAfter: restartAfter, executable: executable)
        }
    }

    static func killController(_ layout: LocalLayout, restartAfter: Duration?, executable: String?) async throws(LocalError) -> Injected {
        guard let pid = LocalGroup.supervisorPID(layout) else { throw .failed("the group in \(layout.root) has no running supervisor") }
        kill(pid, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while Spawn.isAlive(pid) && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        var description = "killed the supervisor (controller and router, pid \(pid)) with SIGKILL; servers, agents and links keep running"
        if let restartAfter {
            try? await Task.sleep(for: restartAfter)
            let started = ContinuousClock.now
            _ = try await LocalGroup.up(LocalGroup.UpOptions(directory: layout.root),
                                        executable: executable ?? LocalSupervisor.vigilExecutable) { _ in }
            description += "; a new supervisor took the group over after \(restartAfter) (up took \(ContinuousClock.now - started))"
        }
        return Injected(fault: .killController, targets: [], description: description)
    }

    static func currentStatus(_ layout: LocalLayout) throws(LocalError) -> (LocalStatus, LocalSpec) {
        let (running, data, state) = try LocalGroup.status(layout)
        guard running, let data, let status = try? JSONDecoder().decode(LocalStatus.self, from: data) else {
            throw .failed("the group in \(layout.root) is not running")
        }
        return (status, state.spec)
    }

    static func primary(_ status: LocalStatus) throws(LocalError) -> String {
        guard let primary = status.primary else { throw .failed("the group has no primary right now") }
        return primary
    }

    static func replica(_ status: LocalStatus) throws(LocalError) -> String {
        guard let replica = status.instances.first(where: { $0.role == "replica" && $0.healthy })?.name else {
            throw .failed("the group has no healthy replica right now")
        }
        return replica
    }

    static func serverPID(_ name: String, _ status: LocalStatus) throws(LocalError) -> pid_t {
        guard let instance = status.instances.first(where: { $0.name == name }) else { throw .usage("no instance \(name)") }
        guard let pid = instance.pid else { throw .failed("\(name) has no running server") }
        return pid
    }

    static func signal(_ sig: Int32, server name: String, _ status: LocalStatus) throws(LocalError) {
        kill(try serverPID(name, status), sig)
    }
}
