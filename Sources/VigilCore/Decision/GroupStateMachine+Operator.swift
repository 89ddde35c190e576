/// Explicit operator commands: each is applied or refused, and always recorded.
extension GroupStateMachine {
    static let operatorLogLimit = 50

    mutating func apply(_ command: OperatorCommand, turn: inout Turn) {
        let (accepted, note) = perform(command, turn: &turn)
        status.operatorLog.append(OperatorRecord(at: turn.now, command: command, accepted: accepted, note: note))
        if status.operatorLog.count > Self.operatorLogLimit { status.operatorLog.removeFirst() }
        turn.note(accepted ? .operatorCommand : .operatorRefused, note)
    }

    private mutating func perform(_ command: OperatorCommand, turn: inout Turn) -> (Bool, String) {
        let now = turn.now
        switch command {
        case .overrideCooldown:
            guard let until = status.cooldownUntil, now < until else { return (true, "no cooldown to override") }
            status.cooldownUntil = nil
            return (true, "cooldown until \(until) lifted by the operator")
        case .unquarantine(let name):
            guard status.quarantined.removeValue(forKey: name) != nil else { return (false, "\(name) is not quarantined") }
            status.pendingRejoin[name] = RejoinCheck(forkPoint: nil, checkContainment: false, since: now)
            return (true, "\(name) leaves quarantine and rejoins as a replica")
        case .forcePromote(let name):
            return forcePromote(name, turn: &turn)
        }
    }

    private mutating func forcePromote(_ name: String, turn: inout Turn) -> (Bool, String) {
        guard config.member(name) != nil else { return (false, "\(name) is not a member of the group") }
        if status.switchover != nil { return (false, "a switchover is in progress") }
        if status.operation == nil && status.primary == name && status.primaryMayWrite {
            return (false, "\(name) is already the primary")
        }
        if var progress = status.failover {
            if progress.promotionIssued { return (false, "a promotion is already under way") }
            liftForPromotion(name)
            progress.forcedCandidate = name
            progress.blocked = nil
            switch progress.step {
            case .draining, .promoting, .confirming, .repointing:
                move(&progress, to: .choosing, now: turn.now)
                progress.drained = nil
                progress.drainFailures = 0
            case .isolating, .awaitingLease, .choosing:
                break
            }
            status.operation = .failover(progress)
            return (true, "\(name) will be promoted once the old primary cannot write")
        }
        liftForPromotion(name)
        startFailover(
            from: status.primary, evidence: .operatorForced(name), forcedCandidate: name, turn: &turn)
        return (true, "forced promotion of \(name) started")
    }

    /// The operator accepts this instance's divergent writes by promoting it.
    private mutating func liftForPromotion(_ name: String) {
        status.quarantined[name] = nil
        status.pendingRejoin[name] = nil
    }
}
