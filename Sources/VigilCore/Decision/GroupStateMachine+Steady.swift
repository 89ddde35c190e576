/// Evaluation when no failover or switchover runs: detection, failover start, maintenance and
/// the healthy / suspect / degraded / blocked verdict.
extension GroupStateMachine {
    mutating func advance(_ turn: inout Turn) {
        switch status.operation {
        case .failover: driveFailover(&turn)
        case .switchover: driveSwitchover(&turn)
        case nil: break
        }
        // No operation, or one that just finished: judge the group as it stands.
        if status.operation == nil { evaluateSteady(&turn) }
    }

    private mutating func evaluateSteady(_ turn: inout Turn) {
        let now = turn.now
        guard let primary = status.primary else {
            status.state = .blocked(.noPrimary)
            turn.standing = Reason(.noPrimary, "no primary; an operator must promote one (forcePromote)")
            return
        }
        switch assess(primary, now: now) {
        case .failed(let evidence):
            if let until = status.cooldownUntil, now < until {
                if status.state != .blocked(.cooldown(until: until)) {
                    turn.note(.failoverBlockedByCooldown, "\(primary) failed (\(evidence)) inside the cooldown ending \(until)")
                }
                status.state = .blocked(.cooldown(until: until))
                turn.standing = Reason(.failoverBlockedByCooldown, "cooldown until \(until)")
                return
            }
            let others = names.filter { $0 != primary && !status.isQuarantined($0) }
            guard !others.isEmpty else {
                status.state = .blocked(.noCandidate(.noCandidates))
                turn.standing = Reason(.noCandidate, "\(primary) failed and there is no replica to promote")
                return
            }
            startFailover(from: primary, evidence: evidence, forcedCandidate: nil, turn: &turn)
            driveFailover(&turn)
        case .suspect(let missed):
            status.state = .suspect
            turn.standing = Reason(.primarySuspect, "\(primary) missed \(missed) probe(s)")
        case .controllerOnly(let seenBy):
            status.state = .suspect
            let who = seenBy.isEmpty ? "no replica can confirm" : "still seen by \(seenBy.joined(separator: ", "))"
            turn.standing = Reason(.controllerOnlyBlip, "controller cannot reach \(primary), \(who)")
        case .healthy:
            maintain(primary: primary, turn: &turn)
            let problems = degradation(primary: primary, now: now)
            status.state = problems.isEmpty ? .healthy : .degraded
            turn.standing = problems.isEmpty ? Reason(.primaryHealthy) : Reason(.degraded, problems.joined(separator: "; "))
        }
    }

    /// Why a group with a working primary is not fully healthy; empty when it is.
    func degradation(primary: String, now: Instant) -> [String] {
        var problems: [String] = []
        for name in names where name != primary {
            if let record = status.quarantined[name] {
                problems.append("\(name) quarantined (\(record.note))")
            } else if status.pendingRejoin[name] != nil {
                problems.append("\(name) waiting to rejoin")
            } else if !isUp(name) {
                problems.append("\(name) down")
            } else if let observation = fresh(name, now: now), observation.replica?.isReplicating != true {
                problems.append("\(name) not replicating")
            }
        }
        if config.members.count < 2 { problems.append("no replica") }
        return problems
    }
}
