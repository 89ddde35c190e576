/// Planned switchover: primary read-only, target catches up (bounded by `maxLagWait`),
/// promote, confirm, move traffic, repoint (the old primary becomes a replica). Zero loss by
/// construction; a timeout rolls back (the old primary writable again, traffic unchanged).
extension GroupStateMachine {
    mutating func requestSwitchover(to requested: String?, turn: inout Turn) {
        let now = turn.now
        if let refusal = switchoverRefusal(to: requested, now: now) {
            turn.note(.switchoverRefused, refusal)
            return
        }
        guard let primary = status.primary, let target = requested ?? bestSwitchoverTarget(primary: primary, now: now) else {
            turn.note(.switchoverRefused, "no eligible target: every replica is unhealthy, lagging or excluded")
            return
        }
        var progress = SwitchoverProgress(from: primary, to: target, startedAt: now)
        progress.readOnlyAt = now
        // Writes stop being allowed before the primary goes read-only: its agent never undoes it.
        setWord(primary: primary, mayWrite: false)
        status.operation = .switchover(progress)
        turn.note(.switchoverStarted, "\(primary) → \(target), term \(status.term)")
    }

    /// Why a switchover to `requested` (or to the best target) cannot start; nil when it can.
    public func switchoverRefusal(to requested: String?, now: Instant) -> String? {
        switch status.operation {
        case .failover?: return "a failover is in progress"
        case .switchover?: return "a switchover is in progress"
        case nil: break
        }
        if let until = status.cooldownUntil, now < until { return "in cooldown until \(until)" }
        guard let primary = status.primary, status.primaryMayWrite, assess(primary, now: now) == .healthy,
            fresh(primary, now: now)?.isWritable == true
        else { return "the primary is not healthy" }
        guard let requested else { return nil }
        guard let member = config.member(requested) else { return "\(requested) is not a member of the group" }
        if requested == primary { return "\(requested) is already the primary" }
        if member.siteRole == .readOnly { return "\(requested) is on a read-only site" }
        return targetProblem(requested, now: now)
    }

    /// What makes `name` unfit as a switchover target; nil when fit.
    func targetProblem(_ name: String, now: Instant) -> String? {
        if status.isQuarantined(name) { return "\(name) is quarantined" }
        if status.pendingRejoin[name] != nil { return "\(name) is waiting to rejoin" }
        guard isUp(name), let observation = fresh(name, now: now) else { return "\(name) is unhealthy" }
        guard observation.replica?.isReplicating == true else { return "\(name) is not replicating" }
        guard let lag = observation.replica?.secondsBehindSource else { return "\(name)'s lag is unknown" }
        if Duration.seconds(lag) > config.maxLagWait {
            return "\(name) lags \(lag) s, beyond maxLagWait \(config.maxLagWait)"
        }
        return nil
    }

    private func bestSwitchoverTarget(primary: String, now: Instant) -> String? {
        let inputs = config.members.compactMap { member -> CandidateInput? in
            guard member.name != primary, targetProblem(member.name, now: now) == nil,
                let observation = fresh(member.name, now: now)
            else { return nil }
            return CandidateInput(
                name: member.name, site: member.site, sitePriority: member.sitePriority, siteRole: member.siteRole,
                executed: observation.executedGTIDs, retrieved: observation.retrievedGTIDs,
                lagSeconds: observation.replica?.secondsBehindSource)
        }
        return CandidateRanking.choose(from: inputs, config: config.ranking).chosen
    }

    mutating func driveSwitchover(_ turn: inout Turn) {
        guard var progress = status.switchover else { return }
        let purpose = Purpose.switchover(startedAt: progress.startedAt)
        let now = turn.now
        steps: for _ in 0..<6 {
            switch progress.step {
            case .settingReadOnly:
                if !inFlight(for: progress.from) { issue(.setReadOnly(progress.from), for: purpose, turn: &turn) }
                break steps
            case .waitingForTarget(let deadline):
                if !isInFlight({ if case .waitForGTIDs = $0 { true } else { false } }) {
                    guard let gtids = progress.finalGTIDs else { break steps }
                    issue(.waitForGTIDs(progress.to, gtids: gtids, deadline: deadline), for: purpose, turn: &turn)
                } else if now > deadline + config.lease.probeInterval {
                    // The executor overran the bound: give up on the target.
                    startRollback(&progress, "the target did not answer within maxLagWait", turn: &turn)
                    continue steps
                }
                break steps
            case .promoting, .confirming:
                if !progress.confirmed, case .failed = assess(progress.to, now: now) {
                    // The target died mid-promotion: it is the designated primary now, so the
                    // steady evaluation fails over from it (under its lease) if needed.
                    finishSwitchover(progress, outcome: .abandoned("\(progress.to) failed while being promoted"), turn: &turn)
                    return
                }
                if progress.step == .confirming {
                    if progress.confirmed {
                        moveSwitchover(&progress, to: .repointing, now: now)
                        planSwitchoverRepoint(&progress, purpose: purpose, turn: &turn)
                        continue steps
                    }
                    if !isInFlight({ $0 == .confirmWritable(progress.to) }) && waitedOut("confirm", now: now) {
                        issue(.confirmWritable(progress.to), for: purpose, turn: &turn)
                    }
                    break steps
                }
                if progress.promoted {
                    moveSwitchover(&progress, to: .confirming, now: now)
                    continue steps
                }
                if !isInFlight({ $0 == .promote(progress.to) }) && waitedOut("promote", now: now) {
                    if !progress.promotionIssued {
                        progress.promotionIssued = true
                        setWord(primary: progress.to, mayWrite: true)
                        status.lastPromotionBaseline = progress.finalGTIDs ?? status.lastPromotionBaseline
                        turn.note(.promotionIssued, "\(progress.to), term \(status.term)")
                    }
                    if agentHoldsWrite(progress.to) { issue(.promote(progress.to), for: purpose, turn: &turn) }
                }
                break steps
            case .repointing:
                if !progress.trafficMoved && !isInFlight({ if case .moveTraffic = $0 { true } else { false } })
                    && waitedOut("traffic", now: now)
                {
                    issue(.moveTraffic(primary: progress.to, replicas: progress.repointing.sorted()), for: purpose, turn: &turn)
                }
                if progress.trafficMoved && progress.repointing.isEmpty {
                    finishSwitchover(progress, outcome: .completed, turn: &turn)
                    return
                }
                break steps
            case .rollingBack:
                if case .failed = assess(progress.from, now: now) {
                    // Nothing to roll back to: end here and let failover take over.
                    finishSwitchover(progress, outcome: .abandoned("\(progress.from) failed during the rollback"), turn: &turn)
                    return
                }
                if !inFlight(for: progress.from) && waitedOut("rollback", now: now) && agentHoldsWrite(progress.from) {
                    issue(.setWritable(progress.from), for: purpose, turn: &turn)
                }
                break steps
            }
        }
        status.operation = .switchover(progress)
        status.state = .switchingOver(progress.step)
    }

    mutating func switchoverResult(_ kind: GroupAction.Kind, _ result: ActionResult, turn: inout Turn) {
        guard var progress = status.switchover else { return }
        let now = turn.now
        switch (kind, progress.step) {
        case (.setReadOnly, .settingReadOnly):
            if let observation = result.observation, !observation.isWritable, let gtids = observation.executedGTIDs {
                progress.finalGTIDs = gtids
                turn.note(.primaryReadOnly, "\(progress.from) read-only at \(gtids)")
                moveSwitchover(&progress, to: .waitingForTarget(deadline: now + config.maxLagWait), now: now)
            } else {
                startRollback(&progress, "\(progress.from) did not confirm read-only", turn: &turn)
            }
        case (.waitForGTIDs, .waitingForTarget):
            if result.succeeded {
                turn.note(.targetCaughtUp, "\(progress.to) applied everything")
                moveSwitchover(&progress, to: .promoting, now: now)
            } else {
                startRollback(&progress, "\(progress.to) did not catch up within maxLagWait \(config.maxLagWait)", turn: &turn)
            }
        case (.promote, .promoting):
            if result.succeeded {
                progress.promoted = true
                progress.promotionGTIDs = result.observation?.executedGTIDs ?? progress.finalGTIDs
            } else {
                retryLater("promote", now: now)
                turn.note(.promotionFailed, "promoting \(progress.to) failed; retrying")
            }
        case (.confirmWritable, .confirming):
            if result.observation?.isWritable == true {
                progress.confirmed = true
                turn.note(.confirmedWritable, "\(progress.to) accepts writes")
            } else {
                retryLater("confirm", now: now)
                if isUp(progress.to), let observation = fresh(progress.to, now: now), !observation.isWritable {
                    // It answers read-only (restarted, say): promote it again (idempotent).
                    progress.promoted = false
                    moveSwitchover(&progress, to: .promoting, now: now)
                }
            }
        case (.moveTraffic, _):
            if result.succeeded { progress.trafficMoved = true } else { retryLater("traffic", now: now) }
        case (.repoint(let name, _), _):
            progress.repointing.removeAll { $0 == name }
            if !result.succeeded {
                markPendingRejoin(name, forkPoint: progress.promotionGTIDs ?? progress.finalGTIDs, now: now)
            }
        case (.setWritable, .rollingBack):
            if result.succeeded {
                let why = progress.rollbackReason ?? "rolled back"
                finishSwitchover(progress, outcome: .rolledBack(why), turn: &turn)
                return
            }
            retryLater("rollback", now: now)
        default:
            break
        }
        status.operation = .switchover(progress)
    }

    private mutating func startRollback(_ progress: inout SwitchoverProgress, _ why: String, turn: inout Turn) {
        progress.rollbackReason = why
        setWord(primary: progress.from, mayWrite: true)
        moveSwitchover(&progress, to: .rollingBack, now: turn.now)
        turn.note(.switchoverRollingBack, why)
    }

    private func moveSwitchover(_ progress: inout SwitchoverProgress, to step: SwitchoverStep, now: Instant) {
        progress.timings.append(StepTiming(step: Self.name(of: progress.step), startedAt: progress.stepStartedAt, endedAt: now))
        progress.step = step
        progress.stepStartedAt = now
    }

    public static func name(of step: SwitchoverStep) -> String {
        switch step {
        case .settingReadOnly: "settingReadOnly"
        case .waitingForTarget: "waitingForTarget"
        case .promoting: "promoting"
        case .confirming: "confirming"
        case .repointing: "repointing"
        case .rollingBack: "rollingBack"
        }
    }

    private mutating func planSwitchoverRepoint(_ progress: inout SwitchoverProgress, purpose: Purpose, turn: inout Turn) {
        let fork = progress.promotionGTIDs ?? progress.finalGTIDs
        for name in names where name != progress.to && !status.isQuarantined(name) {
            if name == progress.from || (isUp(name) && status.pendingRejoin[name] == nil) {
                progress.repointing.append(name)
                issue(.repoint(name, to: progress.to), for: purpose, turn: &turn)
            } else {
                markPendingRejoin(name, forkPoint: fork, now: turn.now)
            }
        }
    }

    private mutating func finishSwitchover(_ progress: SwitchoverProgress, outcome: SwitchoverRecord.Outcome, turn: inout Turn) {
        var progress = progress
        moveSwitchover(&progress, to: progress.step, now: turn.now)
        let blocked = progress.readOnlyAt.map { (turn.now - $0).wholeMilliseconds } ?? 0
        let record = SwitchoverRecord(
            from: progress.from, to: progress.to, outcome: outcome, startedAt: progress.startedAt,
            completedAt: turn.now, writeBlockedMs: blocked, steps: progress.timings)
        status.lastSwitchover = record
        status.operation = nil
        for key in ["promote", "confirm", "traffic", "rollback"] { retryAt[key] = nil }
        issue(.recordSwitchover(record), for: .maintenance, turn: &turn)
        switch outcome {
        case .completed: turn.note(.switchoverCompleted, "\(progress.from) → \(progress.to), writes blocked \(blocked) ms")
        case .rolledBack(let why): turn.note(.switchoverRolledBack, "\(progress.from) is writable again: \(why)")
        case .abandoned(let why): turn.note(.switchoverAbandoned, why)
        }
    }
}
