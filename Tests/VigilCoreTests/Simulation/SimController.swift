import Foundation
import VigilCore

/// The controller process: probes, timers, and an executor applying the machine's actions to
/// the world with some latency; persistence and restarts.
extension SimRun {
    mutating func driveController() {
        if now % probeMs == 0 {
            var observations: [InstanceObservation] = []
            for index in world.instances.indices { observations.append(world.observation(index)) }
            let snapshot = GroupSnapshot(takenAt: instant, instances: observations)
            _ = decide(.probed(snapshot))
        }
        if let wake = machine.wakeAt, wake.millisecondsSinceEpoch <= now { _ = decide(.tick) }
        runExecutor()
        answerPokes()
    }

    /// Every input goes through here: the status is persisted (write-ahead), the decision
    /// checked, its actions queued.
    @discardableResult
    mutating func decide(_ input: GroupInput) -> Decision {
        let decision = machine.handle(input, now: instant)
        persisted = machine.status
        stats.decisions += 1
        observe(decision)
        for action in decision.actions {
            if case .pokeAgent(let name) = action.kind { pokes.append(world.index(of: name)) }
        }
        for action in decision.actions where action.kind.expectsCompletion {
            pending.append(SimPending(action: action, dueAt: now + Int64(random.int(0...2)) * settings.stepMs))
        }
        return decision
    }

    private mutating func observe(_ decision: Decision) {
        for reason in decision.trail where reason.code != .unchanged {
            switch reason.code {
            case .primaryHealthy, .degraded, .primarySuspect, .controllerOnlyBlip: continue
            case .failoverStarted:
                stats.failovers += 1
                checkCooldown("failover")
                lastOperationWasFailover = true
            case .switchoverStarted:
                stats.switchovers += 1
                checkCooldown("switchover")
                lastOperationWasFailover = false
            case .confirmedWritable:
                // The anti-flap window opens when a failover's new primary takes writes.
                if lastOperationWasFailover { lastPromotionAt = now }
            case .switchoverRolledBack, .switchoverAbandoned: stats.rollbacks += 1
            case .quarantined: stats.quarantines += 1
            case .awaitingLease: stats.leaseWaits += 1
            case .replicasUnaccounted, .noCandidate, .leaseUnverifiable, .failoverBlockedByCooldown: stats.blocked += 1
            default: break
            }
            log("controller: \(reason)")
        }
    }

    private mutating func runExecutor() {
        var rounds = 0
        while rounds < 40, let position = pending.firstIndex(where: { $0.dueAt <= now }) {
            rounds += 1
            let job = pending.remove(at: position)
            guard let result = execute(job.action.kind) else {
                pending.append(SimPending(action: job.action, dueAt: now + settings.stepMs))
                continue
            }
            decide(.actionCompleted(job.action.id, result))
        }
    }

    /// Performs one action on the world; nil while a wait is still in progress.
    private mutating func execute(_ kind: GroupAction.Kind) -> ActionResult? {
        guard let name = kind.instance else { return .succeeded(nil) }
        let index = world.index(of: name)
        if case .moveTraffic = kind { return .succeeded(nil) }
        guard world.reachableFromController(index) else { return .failed("\(name) unreachable") }
        switch kind {
        case .fence, .setReadOnly:
            world.instances[index].readOnly = true
        case .setWritable:
            if machine.status.isQuarantined(name) { fail("setWritable on quarantined \(name)") }
            world.instances[index].readOnly = false
        case .stopIOThread:
            world.instances[index].ioRunning = false
        case .drainRelayLog(_, let deadline):
            if !world.instances[index].relay.isEmpty {
                return now >= deadline.millisecondsSinceEpoch ? .failed("relay log not applied by the deadline") : nil
            }
        case .waitForGTIDs(_, let gtids, let deadline):
            if !world.cachedGTIDs(index, held: false).contains(gtids) {
                return now >= deadline.millisecondsSinceEpoch ? .failed("not caught up by the deadline") : nil
            }
        case .promote:
            checkPromotion(of: index)
            log("executor promotes \(name)")
            world.instances[index].source = nil
            world.instances[index].ioRunning = false
            world.instances[index].relay = []
            world.instances[index].readOnly = false
        case .confirmWritable:
            if !world.instances[index].isWritable { return .failed("\(name) is read-only") }
        case .repoint(_, let target), .rejoinAsReplica(_, source: let target, checkContainment: true):
            // Read the instance first, then the source (whose history only grows).
            let mine = world.cachedGTIDs(index, held: true)
            let source = world.index(of: target)
            guard world.reachableFromController(source) else { return .failed("\(target) unreachable") }
            if !world.cachedGTIDs(source, held: false).contains(mine) {
                return .failed("\(name) holds transactions \(target) lacks")
            }
            repoint(index, to: source)
        case .rejoinAsReplica(_, let target, checkContainment: false):
            repoint(index, to: world.index(of: target))
        case .quarantine:
            world.instances[index].readOnly = true
            world.instances[index].ioRunning = false
        case .replyToAgent, .pokeAgent, .waitUntil, .moveTraffic, .recordFailover, .recordSwitchover:
            break
        }
        return .succeeded(world.observation(index))
    }

    private mutating func repoint(_ index: Int, to source: Int) {
        log("executor points \(world.instances[index].name) at \(world.instances[source].name)")
        world.instances[index].source = source
        world.instances[index].ioRunning = true
        world.instances[index].replicationError = false
        world.instances[index].readOnly = true
    }

    // MARK: - Controller crashes

    mutating func crashController(for duration: Int64) {
        guard controllerUp else { return }
        controllerUp = false
        controllerDownUntil = now + duration
        // Work not yet sent dies with the process.
        pending = []
    }

    mutating func restartController() {
        controllerDownUntil = nil
        controllerUp = true
        stats.restarts += 1
        // The persisted status goes through JSON, as it would on disk.
        let restored: GroupStatus
        do {
            let data = try JSONEncoder().encode(persisted)
            restored = try JSONDecoder().decode(GroupStatus.self, from: data)
        } catch {
            fail("status does not survive JSON: \(error)")
            return
        }
        if restored != persisted { fail("status changed through JSON") }
        machine = GroupStateMachine(restoring: restored, config: config, now: instant)
        log("controller restarted (term \(restored.term), primary \(restored.primary ?? "none"))")
        decide(.tick)
    }
}
