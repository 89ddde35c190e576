import Foundation
import VigilRouter

/// `vigil local links`: the fault links of a group, in a process of their own so they outlive
/// the supervisor (killing the controller must not cut replication). The chaos command writes
/// the faults it wants to `link-faults.json` and sends SIGHUP; the process applies them and
/// records the generation it applied in `link-status.json`.
public enum LocalLinks {
    public static func run(layout: LocalLayout) async throws(LocalError) {
        let state = try LocalState.load(layout)
        guard state.spec.faultLinks else {
            throw .usage("the group in \(layout.root) has no fault links (create it with `vigil local up --fault-links`)")
        }
        let proxy: LinkProxy
        do {
            proxy = try await LinkProxy.start(state.spec.links)
        } catch {
            throw .failed(error.description)
        }
        do {
            try FileWriting.atomicWrite(Data("\(getpid())\n".utf8), to: layout.linksPIDFile, mode: 0o644)
        } catch {
            await proxy.stop()
            throw .failed("cannot write \(layout.linksPIDFile): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: layout.linksPIDFile) }
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let reloads = SignalWatcher(signals: [SIGHUP]) { reload(proxy, layout) }
        let terms = SignalWatcher(signals: [SIGTERM, SIGINT]) { stop.finish() }
        defer { reloads.cancel(); terms.cancel() }
        reload(proxy, layout)
        for await _ in stopped {}
        await proxy.stop()
    }

    /// Applies the requested faults (none if the file is missing or unreadable: a link process
    /// that cannot tell what is asked heals rather than partitions) and records them.
    static func reload(_ proxy: LinkProxy, _ layout: LocalLayout) {
        let plan = readPlan(layout.linkFaultsFile) ?? LinkFaultPlan()
        proxy.apply(plan.faults)
        if let data = try? JSONEncoder().encode(plan) {
            try? FileWriting.atomicWrite(data, to: layout.linkStatusFile, mode: 0o644)
        }
    }

    /// The links process's pid, if it runs.
    public static func pid(_ layout: LocalLayout) -> pid_t? {
        Spawn.runningPID(in: layout.linksPIDFile, commandLineContains: layout.root)
    }

    /// Puts `faults` in force (replacing any before) and waits until the links process applied them.
    public static func apply(_ faults: [String: LinkFault], layout: LocalLayout) async throws(LocalError) {
        guard let pid = pid(layout) else {
            throw .failed("the links process of \(layout.root) is not running (is the group up, and was it created with --fault-links?)")
        }
        // Past both files' generations: a stale status (say, of a links process restarted since)
        // must not count as this plan applied.
        let previous = [layout.linkFaultsFile, layout.linkStatusFile].compactMap { readPlan($0)?.generation }.max() ?? 0
        let plan = LinkFaultPlan(generation: previous + 1, faults: faults)
        do {
            try FileWriting.atomicWrite(try JSONEncoder().encode(plan), to: layout.linkFaultsFile, mode: 0o600)
        } catch {
            throw .failed("cannot write \(layout.linkFaultsFile): \(error)")
        }
        kill(pid, SIGHUP)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let applied = readPlan(layout.linkStatusFile), applied.generation >= plan.generation {
                return
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        throw .failed("the links process (pid \(pid)) did not apply the faults within 5 s; see \(layout.linksLog)")
    }

    /// The faults in force, as the links process last applied them.
    public static func current(_ layout: LocalLayout) -> [String: LinkFault] {
        readPlan(layout.linkStatusFile)?.faults ?? [:]
    }

    /// A plan file (asked for, or applied); nil if missing or unreadable.
    static func readPlan(_ path: String) -> LinkFaultPlan? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(LinkFaultPlan.self, from: $0) }
    }
}
