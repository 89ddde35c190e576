import Foundation
import Logging
import VigilEngine
import VigilPOSIX

/// The operations behind the `vigil local` subcommands, as a library for tests.
public enum LocalGroup {
    public struct UpOptions: Sendable {
        public var directory: String
        public var instances: Int
        public var sites: [String]
        public var mode: String
        public var portBase: Int
        public var mysqld: String?
        public var foreground: Bool
        public var faultLinks: Bool
        public init(directory: String, instances: Int = 3, sites: [String] = ["a"], mode: String = "semisync",
                    portBase: Int = 13300, mysqld: String? = nil, foreground: Bool = false, faultLinks: Bool = false) {
            self.directory = directory; self.instances = instances; self.sites = sites; self.mode = mode
            self.portBase = portBase; self.mysqld = mysqld; self.foreground = foreground; self.faultLinks = faultLinks
        }
    }

    public enum UpOutcome: Sendable { case started, resumed, alreadyRunning }

    /// Validates everything, then starts the supervisor and waits until the group runs.
    /// On failure nothing keeps running, and a directory this call created is removed.
    public static func up(_ o: UpOptions, executable: String, log: @Sendable (String) -> Void) async throws(LocalError) -> UpOutcome {
        let layout = LocalLayout(root: o.directory)
        var state: LocalState
        var created = false
        switch layout.inspect() {
        case .somethingElse:
            throw .usage("\(layout.root) holds something else (no state.json); choose an empty or new --dir")
        case .vigilGroup:
            state = try LocalState.load(layout)
            if let pid = supervisorPID(layout) {
                log("group in \(layout.root) is already running (supervisor pid \(pid))")
                return .alreadyRunning
            }
            guard FileManager.default.isExecutableFile(atPath: state.spec.mysqldPath) else {
                throw .failed("\(state.spec.mysqldPath) is missing; install it with `apt-get install mariadb-server`")
            }
            // What a killed supervisor left running holds its own ports: the new one adopts it.
            try checkPorts(state.spec, except: portsHeldByGroup(layout, state.spec))
            state.phase = .starting
            state.failure = nil
            try state.save(layout)
        case .missing, .empty:
            let mode: SemiSyncMode
            switch o.mode {
            case "semisync", "lossless": mode = .lossless
            case "async": mode = .async
            default: throw .usage("--mode must be semisync or async (got \(o.mode))")
            }
            let found = o.mysqld.flatMap { Spawn.which($0) } ?? (o.mysqld == nil ? Spawn.which("mariadbd") ?? Spawn.which("mysqld") : nil)
            guard let mysqld = found else {
                throw .failed("\(o.mysqld ?? "mariadbd") not found; install MariaDB with `sudo apt-get install mariadb-server` or pass --mysqld PATH")
            }
            let spec = LocalSpec(instances: o.instances, sites: o.sites, mode: mode, portBase: o.portBase, mysqldPath: mysqld,
                                 faultLinks: o.faultLinks)
            try spec.validate()
            try checkPorts(spec)
            do {
                created = layout.inspect() == .missing
                try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
                chmod(layout.root, 0o700)
            } catch {
                throw .failed("cannot create \(layout.root): \(error)")
            }
            state = LocalState(spec: spec, primary: spec.instanceName(0))
            do {
                try LocalCredentials.generate().save(layout)
                try state.save(layout)
            } catch {
                removeNewGroup(layout, created: created)
                throw error
            }
        }
        let fresh = !state.initialised
        do {
            if o.foreground {
                try await runSupervisor(layout: layout)
                return fresh ? .started : .resumed
            }
            let pid = try Spawn.start(executable, ["local", "supervise", "--dir", layout.root], log: layout.supervisorLog, newSession: true)
            try await waitUntilRunning(layout, supervisor: pid)
        } catch {
            if fresh && !state.initialised { removeNewGroupIfNeverRan(layout, created: created) }
            throw error
        }
        return fresh ? .started : .resumed
    }

    static func checkPorts(_ spec: LocalSpec, except held: Set<Int> = []) throws(LocalError) {
        let busy = spec.allPorts.filter { !held.contains($0) && !LoopbackPort.isFree($0) }
        guard busy.isEmpty else {
            throw .failed("port\(busy.count > 1 ? "s" : "") \(busy.map(String.init).joined(separator: ", ")) on 127.0.0.1 \(busy.count > 1 ? "are" : "is") in use; choose another --port-base (this group needs \(spec.portBase)…\(spec.portBase + spec.portSpan - 1))")
        }
    }

    /// The group's processes still running without a supervisor, by pid file: each kind
    /// checked to be ours by its command line.
    static func orphans(_ layout: LocalLayout, _ spec: LocalSpec) -> (servers: [Int: pid_t], agents: [Int: pid_t], links: pid_t?) {
        var servers: [Int: pid_t] = [:]
        var agents: [Int: pid_t] = [:]
        for i in 0..<spec.instances {
            let name = spec.instanceName(i)
            servers[i] = Spawn.runningPID(in: layout.pidFile(name), commandLineContains: layout.configFile(name))
            agents[i] = Spawn.runningPID(in: layout.agentPIDFile(name), commandLineContains: layout.agentConfigFile(name))
        }
        return (servers, agents, LocalLinks.pid(layout))
    }

    static func portsHeldByGroup(_ layout: LocalLayout, _ spec: LocalSpec) -> Set<Int> {
        let running = orphans(layout, spec)
        var held = Set(running.servers.keys.map(spec.mysqlPort))
        for i in running.agents.keys {
            held.formUnion([spec.agentRoleProbePort(i), spec.agentSidecarPort(i), spec.agentMetricsPort(i)])
        }
        if running.links != nil { held.formUnion(spec.links.map(\.listenPort)) }
        return held
    }

    /// Stops what a killed supervisor left running (SIGTERM, then SIGKILL after `grace`).
    static func stopOrphans(_ layout: LocalLayout, grace: Duration) async {
        guard let state = try? LocalState.load(layout) else { return }
        let running = orphans(layout, state.spec)
        let pids = Array(running.servers.values) + Array(running.agents.values) + (running.links.map { [$0] } ?? [])
        for pid in pids { kill(pid, SIGCONT); kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while pids.contains(where: Spawn.isAlive) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for pid in pids where Spawn.isAlive(pid) { kill(pid, SIGKILL) }
    }

    static func waitUntilRunning(_ layout: LocalLayout, supervisor pid: pid_t) async throws(LocalError) {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let exited = Spawn.reap(pid) != nil
            if let state = try? LocalState.load(layout) {
                if state.phase == .running { return }
                if state.phase == .failed || exited {
                    // The supervisor stops everything it started before it records a failure.
                    while Spawn.reap(pid) == nil { try? await Task.sleep(for: .milliseconds(50)) }
                    throw .failed("up failed: \(state.failure ?? "the supervisor exited; see \(layout.supervisorLog)")")
                }
            } else if exited {
                throw .failed("up failed: the supervisor exited; see \(layout.supervisorLog)")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        kill(pid, SIGTERM)
        throw .failed("up timed out after 180 s; see \(layout.supervisorLog)")
    }

    static func removeNewGroup(_ layout: LocalLayout, created: Bool) {
        if created {
            try? FileManager.default.removeItem(atPath: layout.root)
        } else if let entries = try? FileManager.default.contentsOfDirectory(atPath: layout.root) {
            for e in entries { try? FileManager.default.removeItem(atPath: layout.root + "/" + e) }
        }
    }

    /// A brand-new group whose first start failed leaves nothing behind but its log.
    static func removeNewGroupIfNeverRan(_ layout: LocalLayout, created: Bool) {
        let logText = FileManager.default.contents(atPath: layout.supervisorLog)
        removeNewGroup(layout, created: created)
        if let logText, !created {
            _ = FileManager.default.createFile(atPath: layout.root + "/failed-up.log", contents: logText)
        }
    }

    /// The supervisor's pid, if one is alive for this directory.
    public static func supervisorPID(_ layout: LocalLayout) -> pid_t? {
        guard let text = try? String(contentsOfFile: layout.supervisorPIDFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), Spawn.isAlive(pid) else { return nil }
        return pid
    }

    /// `vigil local supervise`: runs in the foreground until SIGTERM/SIGINT.
    public static func runSupervisor(layout: LocalLayout) async throws(LocalError) {
        var logger = Logger(label: "vigil.local")
        logger.logLevel = .info
        let state = try LocalState.load(layout)
        if let other = supervisorPID(layout), other != getpid() {
            throw .failed("another supervisor (pid \(other)) runs this group")
        }
        do {
            try FileWriting.atomicWrite(Data("\(getpid())\n".utf8), to: layout.supervisorPIDFile, mode: 0o644)
        } catch {
            throw .failed("cannot write \(layout.supervisorPIDFile): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: layout.supervisorPIDFile) }
        let supervisor = try LocalSupervisor(layout: layout, state: state, logger: logger)
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) {
            Task { await supervisor.requestStop() }
        }
        defer { signals.cancel() }
        try await supervisor.run()
    }

    /// `vigil local down`: graceful stop, data kept.
    public static func down(_ layout: LocalLayout) async throws(LocalError) -> Bool {
        guard layout.inspect() == .vigilGroup else { throw .failed("no group in \(layout.root)") }
        guard let pid = supervisorPID(layout) else {
            // A killed supervisor's servers, agents and links are stopped all the same.
            await stopOrphans(layout, grace: .seconds(60))
            return false
        }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(120)
        while Spawn.isAlive(pid) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard !Spawn.isAlive(pid) else { throw .failed("the supervisor (pid \(pid)) did not stop within 120 s") }
        return true
    }

    /// `vigil local destroy --yes`: stop everything and delete the directory.
    public static func destroy(_ layout: LocalLayout) async throws(LocalError) {
        switch layout.inspect() {
        case .missing: return
        case .somethingElse, .empty: throw .failed("\(layout.root) is not a Vigil group (no state.json); not deleting it")
        case .vigilGroup: break
        }
        _ = try await down(layout)
        // Anything still left (a server that ignored SIGTERM): gone at once, its data is deleted.
        await stopOrphans(layout, grace: .zero)
        do {
            try FileManager.default.removeItem(atPath: layout.root)
        } catch {
            throw .failed("cannot delete \(layout.root): \(error)")
        }
    }

    public static func status(_ layout: LocalLayout) throws(LocalError) -> (running: Bool, json: Data?, state: LocalState) {
        let state = try LocalState.load(layout)
        let running = supervisorPID(layout) != nil
        return (running, running ? FileManager.default.contents(atPath: layout.statusFile) : nil, state)
    }
}
