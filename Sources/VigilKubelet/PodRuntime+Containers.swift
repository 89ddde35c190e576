import Foundation
import VigilKube
import VigilTestSupport

extension PodRuntime {
    /// One pass over a container: notice an exit (and schedule the restart with backoff),
    /// kill it if its node has failed, start it when due.
    func tend(container index: Int, nodeFailed: Bool) async {
        let now = ContinuousClock.now
        let due = state.withLockedValue { state -> Bool in
            var run = state.containers[index]
            defer { state.containers[index] = run }
            if let process = run.process, let exit = process.reapIfExited() {
                process.signalGroup(SIGKILL)  // nothing of a dead container lingers
                record(exit: exit, of: &run, now: now)
            }
            if nodeFailed {
                // A failed site: everything on it dies and stays dead until recoverNode.
                if let process = run.process {
                    process.killAndReap()
                    record(exit: process.exitStatus ?? .unknown, of: &run, now: now)
                }
                run.waitingReason = "NodeFailed"
                return false
            }
            return run.process == nil && (run.nextStart.map { now >= $0 } ?? true)
        }
        if due { await start(container: index) }
    }

    private func record(exit: ChildExitStatus, of run: inout ContainerRun, now: ContinuousClock.Instant) {
        let ranFor = run.startedAt.map { Date().timeIntervalSince($0) } ?? 0
        run.process = nil
        run.lastExit = exit
        run.ready = false
        run.probeFailures = 0
        run.crashes = ranFor > 10 ? 1 : run.crashes + 1
        run.nextStart = now + backoff(crashes: run.crashes)
        run.waitingReason = "CrashLoopBackOff"
        run.waitingMessage = "last run \(exit)"
        context.logger.info("pod \(namespace)/\(name) container \(run.spec.name) \(exit); restarting")
    }

    func backoff(crashes: Int) -> Duration {
        var delay = context.options.restartBackoff
        for _ in 1..<max(crashes, 1) where delay < context.options.maxRestartBackoff { delay *= 2 }
        return min(delay, context.options.maxRestartBackoff)
    }

    /// Starts (or restarts) a container's process.
    func start(container index: Int) async {
        let (spec, podIP) = state.withLockedValue { ($0.containers[index].spec, $0.podIP ?? "") }
        let pod = self.pod
        let environment: [String: String]
        do {
            environment = try ContainerEnvironment.resolve(
                spec, pod: pod, podIP: podIP, hostIP: context.hostIP,
                configMaps: { self.context.configMap(self.namespace, $0) },
                secrets: { self.context.secret(self.namespace, $0) })
        } catch {
            delayStart(index, reason: "CreateContainerConfigError", message: error.message)
            return
        }
        let volumes = PodVolumes(pod: initialPod, podDirectory: podDirectory, workDirectory: context.workDirectory)
        let translation = MountTranslation(volumes.mounts(of: spec))
        let prepare = { (words: [String]?) in words?.map { translation.translate(EnvironmentExpansion.expand($0, environment)) } }
        let launch: ContainerLaunch
        do {
            launch = try ContainerLaunch.plan(image: spec.image, command: prepare(spec.command), args: prepare(spec.args),
                                              vigilBinary: context.options.vigilBinary)
        } catch {
            delayStart(index, reason: "UnsupportedImage", message: error.message)
            return
        }
        let log = logPath(container: spec.name)
        do {
            switch launch.program {
            case .executable(let path):
                try spawn(index, executable: path, arguments: launch.arguments, environment: environment, log: log)
            case .mariadb:
                try await startMariaDB(index, arguments: launch.arguments, environment: environment, log: log)
            }
        } catch is CancellationError {
            return
        } catch {
            delayStart(index, reason: "StartError", message: "\(error)")
        }
    }

    private func delayStart(_ index: Int, reason: String, message: String) {
        state.withLockedValue { state in
            state.containers[index].crashes += 1
            state.containers[index].nextStart = .now + backoff(crashes: state.containers[index].crashes)
            state.containers[index].waitingReason = reason
            state.containers[index].waitingMessage = message
        }
    }

    private func spawn(_ index: Int, executable: String, arguments: [String], environment: [String: String],
                       log: String) throws {
        appendLog(log, "--- \(Date()) starting \(([executable] + arguments).joined(separator: " "))\n")
        let process = try TrackedProcess(executable: executable, arguments: arguments, environment: environment,
                                         logPath: log)
        let orphan = state.withLockedValue { state -> Bool in
            // Terminated meanwhile: this process must not survive.
            if state.terminating { return true }
            var run = state.containers[index]
            if run.everStarted { run.restartCount += 1 }
            run.everStarted = true
            run.process = process
            run.startedAt = Date()
            run.waitingReason = nil
            run.waitingMessage = nil
            run.nextProbe = .now
            state.containers[index] = run
            return false
        }
        if orphan { process.killAndReap() }
    }

    /// The official image's entrypoint: find the data directory the server would use (the
    /// image asks `mariadbd --verbose --help` too), initialise it when it has no `mysql/`
    /// schema, then exec the server. As root the server needs `--user=root`.
    private func startMariaDB(_ index: Int, arguments: [String], environment: [String: String], log: String) async throws {
        let binaries = try TestHost.mariaDBBinaries()
        var serverArguments = arguments
        if binaries.baseDirectory != "/usr" { serverArguments.append("--basedir=\(binaries.baseDirectory)") }
        if TestHost.isRoot { serverArguments.append("--user=root") }
        serverArguments += context.options.mariaDBHostArguments
        let helpPath = "\(podDirectory)/logs/\(state.withLockedValue { $0.containers[index].spec.name })-help.out"
        try? FileManager.default.removeItem(atPath: helpPath)
        let help = try await runHelper(index, binaries.mariadbd, serverArguments + ["--verbose", "--help"],
                                       environment: environment, log: helpPath)
        let output = (try? String(contentsOfFile: helpPath, encoding: .utf8)) ?? ""
        guard help == .exited(0), let dataDirectory = Self.option("datadir", in: output) else {
            throw EntrypointError(message: "mariadbd --help \(help): cannot find the data directory")
        }
        if !FileManager.default.fileExists(atPath: "\(dataDirectory)/mysql") {
            var install = ["--datadir=\(dataDirectory)", "--auth-root-authentication-method=normal"]
            install += serverArguments + ["--skip-test-db", "--skip-log-bin"]
            appendLog(log, "--- \(Date()) initialising \(dataDirectory) with mariadb-install-db\n")
            let status = try await runHelper(index, binaries.installDB, install, environment: environment, log: log)
            guard status == .exited(0) else {
                throw EntrypointError(message: "mariadb-install-db \(status) (see \(log))")
            }
        }
        try spawn(index, executable: binaries.mariadbd, arguments: serverArguments, environment: environment, log: log)
    }

    struct EntrypointError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// `name` from `mariadbd --verbose --help`'s variable table (`datadir  /var/lib/mysql/`).
    static func option(_ name: String, in help: String) -> String? {
        for line in help.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count == 2, words[0] == name {
                var value = String(words[1])
                while value.count > 1 && value.hasSuffix("/") { value.removeLast() }
                return value
            }
        }
        return nil
    }

    /// Runs a helper of a container's startup to completion; killed if the pod terminates.
    private func runHelper(_ index: Int, _ executable: String, _ arguments: [String], environment: [String: String],
                           log: String) async throws -> ChildExitStatus {
        let process = try TrackedProcess(executable: executable, arguments: arguments, environment: environment,
                                         logPath: log)
        let orphan = state.withLockedValue { state -> Bool in
            if state.terminating { return true }
            state.containers[index].helper = process
            return false
        }
        if orphan {
            process.killAndReap()
            throw CancellationError()
        }
        let deadline = ContinuousClock.now + .seconds(300)
        while true {
            let outcome = state.withLockedValue { state -> ChildExitStatus? in
                if let status = process.reapIfExited() {
                    state.containers[index].helper = nil
                    return status
                }
                if Task.isCancelled || state.terminating || ContinuousClock.now > deadline {
                    process.killAndReap()
                    state.containers[index].helper = nil
                    return .signaled(SIGKILL)
                }
                return nil
            }
            if let outcome {
                if Task.isCancelled { throw CancellationError() }
                return outcome
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func appendLog(_ path: String, _ text: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(text.utf8))
    }

    // MARK: readiness

    /// Runs due readiness probes. A container without one is ready while it runs.
    func probe(nodeFailed: Bool) async {
        let now = ContinuousClock.now
        let due = state.withLockedValue { state -> [(Int, Container)] in
            var due: [(Int, Container)] = []
            for index in state.containers.indices {
                let run = state.containers[index]
                guard run.process != nil, !nodeFailed else {
                    state.containers[index].ready = false
                    continue
                }
                guard run.spec.readinessProbe != nil else {
                    state.containers[index].ready = true
                    continue
                }
                if run.nextProbe.map({ now >= $0 }) ?? true { due.append((index, run.spec)) }
            }
            return due
        }
        guard let podIP = state.withLockedValue({ $0.podIP }) else { return }
        for (index, spec) in due {
            guard let probe = spec.readinessProbe else { continue }
            let timeout = Duration.seconds(max(probe.timeoutSeconds ?? 1, 1))
            let success = await ReadinessProbe.run(probe, container: spec, podIP: podIP, timeout: timeout)
            let period = min(Duration.seconds(max(probe.periodSeconds ?? 10, 1)), context.options.maxProbePeriod)
            state.withLockedValue { state in
                var run = state.containers[index]
                defer { state.containers[index] = run }
                guard run.process != nil else { return }
                run.nextProbe = .now + period
                if success {
                    run.probeFailures = 0
                    run.ready = true
                } else {
                    run.probeFailures += 1
                    if run.probeFailures >= max(probe.failureThreshold ?? 3, 1) || !run.ready { run.ready = false }
                }
            }
        }
    }
}
