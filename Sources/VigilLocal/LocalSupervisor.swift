import Foundation
import Logging
import NIOCore
import VigilControl
import VigilCore
import VigilEngine
import VigilMySQL
import VigilObserve
import VigilRouter

/// The long-running process behind `vigil local up`: owns the database servers (restarting
/// them with backoff), the router and the controller loop, and writes the state and status
/// files the other commands read.
public actor LocalSupervisor {
    let layout: LocalLayout
    var state: LocalState
    let credentials: LocalCredentials
    let logger: Logger
    var servers: [SupervisedProcess]
    var agents: [SupervisedProcess]
    /// Instances being rebuilt (`vigil local rebuild`): their server is the rebuild's to stop and start.
    var rebuilding: Set<String> = []
    /// Since when each running server has failed its probes (cleared when it answers).
    var unansweredSince: [String: ContinuousClock.Instant] = [:]
    /// The fault links' process (groups with fault links).
    var links = SupervisedProcess(name: "links")
    var router: Router?
    /// Start-up sessions (accounts, replication wiring); closed once the group runs.
    var admin: [String: InstanceOperations] = [:]
    /// Probe sessions with short timeouts, one per instance.
    var probes: [String: InstanceOperations] = [:]
    var observations: [String: InstanceObservation] = [:]
    var stopping = false
    // The controller: decision core, its clock and executor.
    var machine: GroupStateMachine
    let clock: ControllerClock
    let actions: LocalActions
    /// Where the router sends writes (set by the machine's `moveTraffic`).
    var trafficPrimary: String?
    var persistedStatus: GroupStatus?
    var lastReason: Reason?
    var statusJSON = Data()
    var controllerServer: ControllerServer?
    // Observability (LocalSupervisor+Observe.swift).
    let observe = LocalObserve()
    var currentStatus: LocalStatus?
    var events = EventRing(capacity: 50)
    var timeline: OperationTimeline?
    var actionsInFlight: [ActionID: InFlightAction] = [:]
    var lastRoundStart: ContinuousClock.Instant?
    var lastSnapshotKey = Data()

    public init(layout: LocalLayout, state: LocalState, logger: Logger) throws(LocalError) {
        self.layout = layout
        self.state = state
        let credentials = try LocalCredentials.load(layout)
        self.credentials = credentials
        // Every controller line names its group (and, where one applies, the instance and decision).
        var logger = logger
        logger[metadataKey: "group"] = "\(URL(fileURLWithPath: layout.root).lastPathComponent)"
        self.logger = logger
        self.servers = (0..<state.spec.instances).map { SupervisedProcess(name: state.spec.instanceName($0)) }
        self.agents = (0..<state.spec.instances).map { SupervisedProcess(name: state.spec.instanceName($0)) }
        let config = Self.groupConfig(state.spec)
        let clock = ControllerClock()
        self.clock = clock
        let now = clock.now()
        self.machine = state.group.map { GroupStateMachine(restoring: $0, config: config, now: now) }
            ?? GroupStateMachine(config: config, primary: state.primary, now: now)
        self.trafficPrimary = machine.status.primary
        self.actions = LocalActions(
            directory: LocalDirectory(spec: state.spec),
            settings: ActionSettings(
                adminUser: SystemAccount.admin.user, adminPassword: credentials.password(SystemAccount.admin.user),
                agentToken: credentials.agentToken,
                replication: ReplicationCredentials(user: SystemAccount.replication.user,
                                                    password: credentials.password(SystemAccount.replication.user)),
                semiSync: state.spec.mode == .lossless, groupSize: state.spec.instances),
            clock: clock, logger: logger)
    }

    var spec: LocalSpec { state.spec }
    var names: [String] { servers.map(\.name) }

    public func requestStop() { stopping = true }

    /// Creates or resumes the group, then supervises it until `requestStop()`.
    public func run() async throws(LocalError) {
        do {
            try await startGroup()
        } catch {
            logger.error("up failed: \(error)")
            await shutdown()
            state.phase = .failed
            state.failure = error.description
            try? state.save(layout)
            throw error
        }
        await waitForWritablePrimary()
        state.phase = .running
        state.failure = nil
        try state.save(layout)
        logger.info("group running; primary \(state.primary)")
        while !stopping {
            let round = ContinuousClock.now
            await tick()
            await sleepServingTimers(until: round + machine.config.lease.probeInterval)
        }
        await shutdown()
        state.phase = .stopped
        try? state.save(layout)
        try? FileManager.default.removeItem(atPath: layout.statusFile)
    }

    // MARK: start-up

    func startGroup() async throws(LocalError) {
        let fresh = !state.initialised
        // A supervisor that was killed leaves its group running: servers, agents and links
        // carry on (the primary keeps its writes while a peer vouches for it) and are taken over.
        let adopting = !fresh && adoptRunning()
        if spec.faultLinks && links.pid == nil { try await startLinks() }
        for i in 0..<spec.instances {
            try await prepare(index: i, fresh: fresh)
        }
        if adopting {
            // Servers that died meanwhile restart through the usual path, checked before they rejoin.
            for i in servers.indices where servers[i].pid == nil {
                servers[i].diedAt = .now
                servers[i].nextStart = .now
            }
        } else {
            try await initialiseServers(fresh: fresh)
        }
        router = try await startRouter()
        controllerServer = try await ControllerServer.start(port: spec.controllerPort, token: credentials.agentToken,
                                                            supervisor: self, observe: observe, logger: logger)
        // The controller runs; ready once a first observation round completes (the tick below).
        observe.readiness.setLeading(true)
        try writeAgentConfigs()
        superviseAgents(now: .now)
        await tick()
    }

    /// Starts every server, creates the accounts on a fresh group and wires replication.
    func initialiseServers(fresh: Bool) async throws(LocalError) {
        for i in servers.indices {
            try servers[i].startServer(spec.mysqldPath, layout: layout)
        }
        for name in names {
            admin[name] = try await connectAdmin(name, deadline: .now + .seconds(60))
        }
        if fresh {
            for name in names {
                do {
                    try await admin[name]!.ensureSystemAccounts(credentials.accountRequest)
                } catch {
                    throw .failed("creating system accounts on \(name): \(error)")
                }
            }
        }
        try await wireReplication()
        if fresh {
            state.initialised = true
            try state.save(layout)
        }
        for (_, ops) in admin {
            if let conn = ops.session as? MySQLConnection { await conn.close() }
        }
        admin = [:]
    }

    /// `up` returns once clients can write: the primary's agent lifted its start-up fence on
    /// the controller's word and the router points at it (bounded; status tells if not).
    func waitForWritablePrimary() async {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline && !stopping {
            // Its agent fences on start and lifts the fence only on the word: wait for that,
            // then for a probe that sees it writable.
            if let primary = machine.status.primary, let heard = machine.reports[primary]?.report,
               heard.fence == .unfenced, heard.term >= machine.status.term {
                await tick()
                if role(primary) == "primary", targets().primary != nil { return }
            }
            await sleepServingTimers(until: .now + .milliseconds(100))
        }
        logger.warning("the primary did not become writable within 30 s; see the agents' logs")
    }

    func prepare(index: Int, fresh: Bool) async throws(LocalError) {
        let name = spec.instanceName(index)
        let fm = FileManager.default
        for dir in [layout.instanceDirectory(name), layout.tmpDirectory(name)] {
            try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        var extra = [
            ServerOption("tmpdir", layout.tmpDirectory(name)),
            ServerOption("skip_name_resolve", "ON"),
            ServerOption("max_connect_errors", "1000000"),
            ServerOption("innodb_buffer_pool_size", "32M"),
            ServerOption("innodb_log_file_size", "32M"),
            ServerOption("innodb_use_native_aio", "OFF"),
            ServerOption("performance_schema", "OFF"),
        ]
        if fresh {
            // First boot only: the admin, root and application accounts, outside the binlog
            // so every instance starts with the same (empty) GTID history.
            let initFile = layout.instanceDirectory(name) + "/init.sql"
            let sql = FirstBootSQL.render(
                adminPassword: credentials.password("vigil_admin"), appPassword: credentials.password("app"),
                rootPassword: credentials.password("root"), hosts: ["localhost", "127.0.0.1"])
            _ = fm.createFile(atPath: initFile, contents: Data(sql.utf8), attributes: [.posixPermissions: 0o600])
            extra.append(ServerOption("init_file", initFile))
            try await installDataDirectory(name)
        }
        let config = ServerConfig(
            instanceName: name, flavor: .mariadb, serverID: UInt32(index + 1), port: spec.mysqlPort(index),
            socket: layout.socket(name), dataDirectory: layout.dataDirectory(name), bindAddress: "127.0.0.1",
            reportHost: "127.0.0.1", reportPort: spec.mysqlPort(index), semiSync: spec.mode,
            pidFile: layout.pidFile(name), errorLog: layout.errorLog(name), extra: extra)
        do {
            let text = try ServerConfigRenderer.render(config)
            try FileWriting.atomicWrite(Data(text.utf8), to: layout.configFile(name), mode: 0o600)
        } catch {
            throw .failed("writing \(layout.configFile(name)): \(error)")
        }
    }

    func installDataDirectory(_ name: String) async throws(LocalError) {
        let data = layout.dataDirectory(name)
        if FileManager.default.fileExists(atPath: data + "/mysql") { return }
        guard let tool = Spawn.tool(["mariadb-install-db", "mysql_install_db"], near: spec.mysqldPath) else {
            throw .failed("mariadb-install-db not found; install it with `apt-get install mariadb-server`")
        }
        try await DataDirectoryInstall.run(tool: tool, dataDirectory: data, tmpDirectory: layout.tmpDirectory(name),
                                     log: layout.instanceDirectory(name) + "/install-db.log", asRoot: geteuid() == 0)
    }

    /// Probes must answer within a probe interval or count as missed.
    func probeConfig(_ name: String) -> MySQLConfiguration {
        var config = adminConfig(name)
        config.connectTimeout = .seconds(1)
        config.queryTimeout = .milliseconds(900)
        return config
    }

    func adminConfig(_ name: String) -> MySQLConfiguration {
        let index = names.firstIndex(of: name)!
        return MySQLConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: spec.controllerMySQLPort(index)), user: SystemAccount.admin.user,
            password: credentials.password(SystemAccount.admin.user), tls: .disable,
            connectTimeout: .seconds(2), queryTimeout: .seconds(10), programName: "vigil-local")
    }

    func connectAdmin(_ name: String, deadline: ContinuousClock.Instant) async throws(LocalError) -> InstanceOperations {
        var lastError = ""
        while ContinuousClock.now < deadline {
            if let i = names.firstIndex(of: name), let pid = servers[i].pid, Spawn.reap(pid) != nil {
                servers[i].pid = nil
                throw .failed("mariadbd for \(name) exited during start-up:\n\(Spawn.tail(layout.errorLog(name)))")
            }
            do {
                let conn = try await MySQLConnection.connect(adminConfig(name))
                return try InstanceOperations(instance: name, connection: conn, logger: logger)
            } catch {
                lastError = "\(error)"
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw .failed("\(name) did not answer within the start-up deadline (\(lastError)):\n\(Spawn.tail(layout.errorLog(name)))")
    }

    var replicationCredentials: ReplicationCredentials {
        ReplicationCredentials(user: SystemAccount.replication.user, password: credentials.password(SystemAccount.replication.user))
    }

    /// Replicas follow the primary; then the primary becomes writable (semi-sync first).
    func wireReplication() async throws(LocalError) {
        let primary = state.primary
        // Quarantined and returning instances are the controller's to judge, not to rewire.
        let followers = names.filter {
            $0 != primary && machine.status.quarantined[$0] == nil && machine.status.pendingRejoin[$0] == nil
        }
        for name in followers {
            try await rejoin(name)
        }
        if spec.instances > 1 {
            let deadline = ContinuousClock.now + .seconds(30)
            for name in followers {
                while true {
                    if let obs = try? await admin[name]!.observe(), obs.replica?.ioThread == .yes { break }
                    if ContinuousClock.now > deadline {
                        throw .failed("\(name) did not connect to the primary \(primary) within 30 s:\n\(Spawn.tail(layout.errorLog(name)))")
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        do {
            try await admin[primary]!.promote(semiSyncGroupSize: spec.mode == .lossless ? spec.instances : nil)
        } catch {
            throw .failed("making \(primary) the writable primary: \(error)")
        }
    }

    /// Makes a (restarted) instance a read-only replica of the primary.
    func rejoin(_ name: String) async throws(LocalError) {
        guard let ops = admin[name] else { return }
        do {
            _ = try await ops.fence(reason: "joining as a replica of \(state.primary)")
            if spec.mode == .lossless { try await ops.enableSemiSyncReplica() }
            try await ops.repoint(to: actions.directory.replicationSource(state.primary, for: name)!, credentials: replicationCredentials,
                                  options: RepointOptions(semiSync: spec.mode == .lossless))
        } catch {
            throw .failed("making \(name) a replica of \(state.primary): \(error)")
        }
    }

    func startRouter() async throws(LocalError) -> Router {
        do {
            return try await Router.start(readWritePort: spec.routerReadWritePort, readOnlyPort: spec.routerReadOnlyPort,
                                          targets: RouterTargets(primary: nil, replicas: []))
        } catch {
            throw .failed("starting the router: \(error)")
        }
    }

    // MARK: shutdown

    func shutdown() async {
        observe.readiness.setStopping()
        await router?.stop()
        router = nil
        await stopAgents()
        await controllerServer?.stop()
        controllerServer = nil
        for (_, ops) in probes {
            if let conn = ops.session as? MySQLConnection { await conn.close() }
        }
        probes = [:]
        for (_, ops) in admin {
            if let conn = ops.session as? MySQLConnection { await conn.close() }
        }
        admin = [:]
        // Replicas first, while their source still answers: a MariaDB replica whose source
        // vanished first can spend a minute in shutdown retrying the semi-sync connection.
        let primary = machine.status.primary ?? state.primary
        for wave in [names.filter { $0 != primary }, [primary]] {
            await withTaskGroup(of: Void.self) { group in
                for i in servers.indices where wave.contains(servers[i].name) {
                    var server = servers[i]
                    group.addTask { await server.stop() }
                }
            }
        }
        for i in servers.indices { servers[i].pid = nil }
        var linksProcess = links
        await linksProcess.stop(timeout: .seconds(5))
        links = linksProcess
    }
}
