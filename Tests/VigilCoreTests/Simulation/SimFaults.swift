import VigilCore

/// Random faults: kill, restart, pause (SIGSTOP of mysqld), partitions from the controller or
/// from peers, slow replicas, agent and controller restarts, switchover requests.
extension SimRun {
    mutating func injectFault() {
        let count = world.instances.count
        let target = random.int(0...(count - 1))
        let name = world.instances[target].name
        switch random.int(0...15) {
        case 0, 1:
            guard world.instances[target].process != .killed else { return }
            world.kill(target)
            log("FAULT kill -9 \(name)")
        case 2:
            guard world.instances[target].process == .killed else { return }
            world.restart(target)
            log("FAULT restart mysqld on \(name)")
        case 3:
            guard world.instances[target].process == .running else { return }
            world.instances[target].process = .paused
            log("FAULT SIGSTOP \(name)")
        case 4:
            guard world.instances[target].process == .paused else { return }
            world.instances[target].process = .running
            log("FAULT SIGCONT \(name)")
        case 5:
            world.network.setLink(target, SimNetwork.controller, up: false)
            log("FAULT partition \(name) from the controller")
        case 6:
            for peer in 0..<count where peer != target { world.network.setLink(target, peer, up: false) }
            log("FAULT partition \(name) from its peers")
        case 7:
            for node in -1..<count where node != target { world.network.setLink(target, node, up: false) }
            log("FAULT isolate \(name) completely")
        case 8:
            // Split the group in two; the controller lands on one side.
            var side: [Bool] = (0..<count).map { _ in random.chance(0.5) }
            let controllerSide = random.chance(0.5)
            side.append(controllerSide)
            for a in -1..<count {
                for b in (a + 1)..<count {
                    let sa = a < 0 ? controllerSide : side[a]
                    if sa != side[b] { world.network.setLink(a, b, up: false) }
                }
            }
            log("FAULT split \(side.dropLast()) controller on \(controllerSide)")
        case 9, 10:
            world.network.healAll()
            log("FAULT heal the network")
        case 11:
            world.instances[target].applyRate = world.instances[target].applyRate == 0 ? 4 : 0
            log("FAULT \(name) applies at \(world.instances[target].applyRate)/step")
        case 12:
            agents[target] = SimAgent(
                fencing: SelfFencing(instance: name, contract: SimSettings.lease), offset: agents[target].offset + 7_777,
                rate: agents[target].rate)
            feed(target, .started)
            log("FAULT restart the agent of \(name)")
        case 13:
            if controllerUp {
                let downtime = Int64(random.int(0...3)) * 4_000
                crashController(for: downtime)
                log("FAULT controller crashes for \(downtime) ms")
            }
        case 14:
            guard controllerUp else { return }
            let requested: String? = random.chance(0.5) ? name : nil
            log("REQUEST switchover to \(requested ?? "best")")
            decide(.switchoverRequested(target: requested))
        default:
            guard controllerUp, random.chance(0.3) else { return }
            log("OPERATOR override cooldown")
            cooldownOverriddenAt = now
            decide(.operatorCommand(.overrideCooldown))
        }
    }

    mutating func healEverything() {
        log("HEAL everything")
        world.network.healAll()
        for index in world.instances.indices {
            if world.instances[index].process == .paused { world.instances[index].process = .running }
            world.restart(index)
            world.instances[index].applyRate = 4
        }
        if !controllerUp { restartController() }
    }
}
