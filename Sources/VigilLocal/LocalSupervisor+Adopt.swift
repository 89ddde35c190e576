import Foundation

/// Taking over a group whose supervisor was killed, and the links process.
extension LocalSupervisor {
    /// Adopts the servers, agents and links still running from pid files (each checked to be
    /// ours by its command line). True if any server was adopted.
    func adoptRunning() -> Bool {
        var adopted: [String] = []
        let running = LocalGroup.orphans(layout, spec)
        for i in servers.indices {
            let name = servers[i].name
            if let pid = running.servers[i] {
                servers[i].adopt(pid)
                adopted.append("mariadbd \(name) (pid \(pid))")
            }
            if let pid = running.agents[i] {
                agents[i].adopt(pid)
                adopted.append("agent \(name) (pid \(pid))")
            }
        }
        if let pid = running.links {
            links.adopt(pid)
            adopted.append("links (pid \(pid))")
        }
        if !adopted.isEmpty {
            logger.info("took over what the previous supervisor left running: \(adopted.joined(separator: ", "))")
            event("process", "supervisor restarted; took over \(adopted.count) running processes", instance: nil)
        }
        return servers.contains { $0.pid != nil }
    }

    /// Starts the links process with every link healed and waits until it listens.
    func startLinks() async throws(LocalError) {
        try? FileManager.default.removeItem(atPath: layout.linkStatusFile)
        try spawnLinks()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: layout.linkStatusFile) { return }
            if let status = links.checkExited(now: .now) {
                throw .failed("the links process exited (status \(status)):\n\(Spawn.tail(layout.linksLog))")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw .failed("the links process did not start listening within 10 s; see \(layout.linksLog)")
    }

    /// `vigil local links` for this group, with no faults asked for: a new links process starts healed.
    private func spawnLinks() throws(LocalError) {
        try? FileManager.default.removeItem(atPath: layout.linkFaultsFile)
        try links.start(Self.vigilExecutable, ["local", "links", "--dir", layout.root], log: layout.linksLog)
    }

    /// Restarts a dead links process (its faults are lost with it: the links come back healed).
    func superviseLinks(now: ContinuousClock.Instant) {
        guard spec.faultLinks else { return }
        if let status = links.checkExited(now: now) {
            logger.warning("the links process exited (status \(status)); restart \(links.restarts) scheduled")
            event("process", "links process exited (status \(status))", instance: nil)
        }
        guard links.pid == nil, links.nextStart.map({ $0 <= now }) ?? true else { return }
        do {
            try spawnLinks()
        } catch {
            logger.error("cannot start the links process: \(error)")
            links.nextStart = now + SupervisedProcess.maxBackoff
        }
    }
}
