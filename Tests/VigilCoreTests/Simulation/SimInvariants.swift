import VigilCore

/// The invariants, checked after every step (and at every promotion).
extension SimRun {
    /// Can `index` acknowledge a client write right now?
    static func canAcknowledge(_ index: Int, in world: SimWorld, mode: ReplicationMode) -> Bool {
        guard world.instances[index].isWritable else { return false }
        switch mode {
        case .async: return true
        case .semiSync:
            // Lossless semi-sync: only with a replica receiving from it.
            for replica in world.instances
            where replica.source == index && replica.index != index && replica.ioRunning && !replica.replicationError
                && replica.process == .running && world.network.linked(replica.index, index)
            {
                return true
            }
            return false
        }
    }

    mutating func checkInvariants() {
        var ackers: [String] = []
        for index in world.instances.indices where Self.canAcknowledge(index, in: world, mode: settings.mode) {
            ackers.append(world.instances[index].name)
        }
        if ackers.count > 1 { fail("two writable primaries can acknowledge writes: \(ackers)") }
        for name in machine.status.quarantined.keys where world.instances[world.index(of: name)].isWritable {
            fail("quarantined \(name) is writable")
        }
    }

    mutating func checkCooldown(_ what: String) {
        guard let promoted = lastPromotionAt else { return }
        let cooldown = config.cooldown.wholeMilliseconds
        let overridden = cooldownOverriddenAt.map { $0 >= promoted } ?? false
        if now < promoted + cooldown && !overridden {
            fail("\(what) started \(now - promoted) ms after a failover promotion, inside the cooldown")
        }
    }

    /// At the moment `index` is promoted: it holds every acknowledged write (semi-sync), and
    /// every live replica's transactions the machine knew about.
    mutating func checkPromotion(of index: Int) {
        let name = world.instances[index].name
        if machine.status.isQuarantined(name) { fail("promoting quarantined \(name)") }
        // A promotion discards the relay log (RESET REPLICA ALL): only `executed` survives.
        let kept = Set(world.instances[index].executed)
        if settings.mode == .semiSync {
            let lost = world.acked.subtracting(kept)
            if !lost.isEmpty { fail("promoting \(name) loses acknowledged writes \(lost.sorted { $0.description < $1.description })") }
        }
        let operation = machine.status.operation
        for replica in world.instances where replica.index != index && replica.process != .killed {
            // Quarantined, or waiting to rejoin and not following the failed primary: outside
            // the group's history until checked. (Acknowledged writes are checked above anyway.)
            if machine.status.isQuarantined(replica.name) { continue }
            if machine.status.pendingRejoin[replica.name] != nil {
                guard case .failover(let progress)? = machine.status.operation,
                    replica.source.map({ world.instances[$0].name }) == progress.from
                else { continue }
            }
            let relevant: Bool
            switch operation {
            case .failover(let progress)?:
                if replica.name == progress.from { continue }
                if case .stopped? = progress.isolation[replica.name] {
                    relevant = true
                } else {
                    relevant = settings.mode == .semiSync && world.network.linked(SimNetwork.controller, replica.index)
                        && replica.process == .running
                }
            case .switchover?:
                relevant = true
            case nil:
                relevant = false
            }
            if relevant, !kept.isSuperset(of: replica.held) {
                let dropped = Set(replica.held).subtracting(kept)
                fail("promoting \(name) drops \(dropped.sorted { $0.description < $1.description }) that live \(replica.name) had")
            }
        }
    }

    /// After healing: a writable primary the controller agrees on, and nothing stuck.
    mutating func checkLiveness() {
        let writable = world.instances.filter(\.isWritable).map(\.name)
        guard let primary = machine.status.primary, machine.status.operation == nil else {
            fail("no primary after healing: state \(machine.status.state), operation \(String(describing: machine.status.operation))")
            return
        }
        if writable != [primary] {
            fail("after healing, writable \(writable) but the controller's primary is \(primary) (state \(machine.status.state))")
        }
        if settings.mode == .semiSync {
            let lost = world.acked.subtracting(world.instances[world.index(of: primary)].executed)
            if !lost.isEmpty { fail("after healing, acknowledged writes missing on \(primary): \(lost.count)") }
        }
    }
}
