import Foundation
import Logging
import VigilCore

extension Agent {
    /// Starts the three listeners, fences first (`.started`), then observes, heartbeats,
    /// pings peers and applies self-fencing until the calling task is cancelled. On return
    /// (or throw) every listener is closed and every connection released.
    ///
    /// Throws `AgentError` when the configuration is invalid or a listener cannot start
    /// (nothing is left running then).
    ///
    /// `releasingStartupPages`: once the listeners are bound, give back the pages starting them
    /// needed (`StartupPages`; `vigil agent` does, a test process has no need to).
    public func run(releasingStartupPages: Bool = false) async throws {
        let problems = config.problems
        guard problems.isEmpty else { throw AgentError.invalidConfiguration(problems) }
        guard !isRunning else { throw AgentError.alreadyRunning }
        isRunning = true
        let (stream, continuation) = AsyncStream<ActionJob>.makeStream()
        actions = continuation
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                try await startListeners(in: &group)
                if releasingStartupPages { StartupPages.release() }
                logger.info("agent started", metadata: [
                    "instance": "\(config.instance)", "controller": "\(config.controller)",
                    "peers": "\(config.peers.map(\.name))", "listen": "\(listening.map { "\($0)" } ?? "-")",
                ])
                group.addTask { await self.actionLoop(stream) }
                feed(.started)
                group.addTask { await self.probeLoop() }
                group.addTask { await self.heartbeatLoop() }
                group.addTask { await self.tickLoop() }
                for peer in config.peers {
                    group.addTask { await self.peerLoop(peer) }
                }
                // Loops end only when cancelled; a listener that stops by itself throws.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            await stop()
            if Task.isCancelled, !(error is AgentError) { return }
            throw error
        }
        await stop()
    }

    private func stop() async {
        actions?.finish()
        actions = nil
        let waiting = requestedFences
        requestedFences = [:]
        for (_, continuation) in waiting { continuation.resume(returning: .failed("the agent is stopping")) }
        resumeAllLookWaiters()
        await observer.close()
        await admin.close()
        listening = nil
        isRunning = false
        logger.info("agent stopped", metadata: ["instance": "\(config.instance)"])
    }

    // MARK: Loops

    /// Performs fence / unfence one at a time, in order, and reports each result.
    func actionLoop(_ stream: AsyncStream<ActionJob>) async {
        for await job in stream {
            switch job {
            case .perform(.fence(let reason)):
                logger.info("fencing mysqld", metadata: ["instance": "\(config.instance)", "reason": "\(reason.rawValue)"])
                let result = await admin.fence(reason: "self-fencing: \(reason.rawValue)")
                actionEpoch += 1
                logResult("fence", result)
                feed(.fenceCompleted(result))
                probeBell.ring()
            case .perform(.unfence):
                logger.info("lifting the fence: the controller allows writes", metadata: ["instance": "\(config.instance)"])
                let result = await admin.unfence()
                actionEpoch += 1
                logResult("unfence", result)
                feed(.unfenceCompleted(result))
                probeBell.ring()
            case .perform:
                break
            case .requestedFence(let id):
                logger.info("fencing mysqld on request", metadata: ["instance": "\(config.instance)"])
                let result = await admin.fence(reason: "requested through the sidecar API")
                actionEpoch += 1
                logResult("requested fence", result)
                requestedFences.removeValue(forKey: id)?.resume(returning: result)
                probeBell.ring()
            }
        }
    }

    private func logResult(_ what: String, _ result: FenceResult) {
        switch result {
        case .confirmed:
            logger.info("\(what) confirmed", metadata: ["instance": "\(config.instance)"])
        case .failed(let why), .ambiguous(let why):
            logger.warning("\(what) not confirmed: \(why)", metadata: ["instance": "\(config.instance)"])
        }
    }

    func probeLoop() async {
        while !Task.isCancelled {
            let epoch = lookStarted()
            let look = await observer.look()
            if Task.isCancelled { break }
            absorb(look, epoch: epoch)
            await probeBell.wait(upTo: config.serverProbeInterval)
        }
    }

    func heartbeatLoop() async {
        while !Task.isCancelled {
            await heartbeat()
            await heartbeatBell.wait(upTo: config.lease.probeInterval)
        }
    }

    /// Feeds `.tick` when self-fencing asked to be woken (lease expiry, fence escalation).
    func tickLoop() async {
        while !Task.isCancelled {
            let delay = wakeAt.map { clock.duration(until: $0) } ?? .seconds(60)
            // The floor keeps a wake time that stays in the past from spinning.
            await tickBell.wait(upTo: max(delay, .milliseconds(5)))
            if Task.isCancelled { break }
            if let due = wakeAt, clock.now() >= due { feed(.tick) }
        }
    }

    func peerLoop(_ peer: AgentConfig.Peer) async {
        while !Task.isCancelled {
            await ping(peer)
            try? await Task.sleep(for: config.lease.probeInterval)
        }
    }
}
