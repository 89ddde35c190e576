/// The failover sequence (issue 5): isolate, make sure the old primary cannot write, choose,
/// drain, promote, confirm, then move traffic and repoint with a containment check, record.
extension GroupStateMachine {
    mutating func startFailover(from old: String?, evidence: FailureEvidence, forcedCandidate: String?, turn: inout Turn) {
        setWord(primary: nil, mayWrite: false)
        var progress = FailoverProgress(
            from: old, term: status.term, evidence: evidence, startedAt: turn.now, forcedCandidate: forcedCandidate)
        if let old {
            progress.oldPrimaryLastExecuted = latest[old]?.observation.executedGTIDs
            progress.oldPrimaryLastSeenAt = latest[old]?.at
        } else {
            progress.oldPrimarySafety = .noOldPrimary
        }
        status.operation = .failover(progress)
        turn.note(.failoverStarted, "from \(old ?? "no primary") (\(evidence)), term \(status.term)")
    }

    mutating func driveFailover(_ turn: inout Turn) {
        guard var progress = status.failover else { return }
        let purpose = Purpose.failover(startedAt: progress.startedAt)
        noteSafetyFacts(&progress, turn: &turn)
        steps: for _ in 0..<8 {
            switch progress.step {
            case .isolating:
                isolate(&progress, purpose: purpose, turn: &turn)
                // Every replica must be stopped (or known unreachable) first; an action still in
                // flight for one (e.g. a repoint issued before the failover) could restart it.
                let waiting = isolationTargets(progress).contains { progress.isolation[$0] == nil }
                guard !waiting, !(progress.from.map { inFlight(for: $0) } ?? false) else { break steps }
                refenceIfReachable(&progress, purpose: purpose, turn: &turn)
                if !leaseCheck(&progress, purpose: purpose, turn: &turn) { break steps }
            case .awaitingLease:
                refenceIfReachable(&progress, purpose: purpose, turn: &turn)
                if !leaseCheck(&progress, purpose: purpose, turn: &turn) { break steps }
            case .choosing:
                if !choose(&progress, purpose: purpose, turn: &turn) { break steps }
            case .draining(let candidate):
                if !drain(candidate, &progress, purpose: purpose, turn: &turn) { break steps }
            case .promoting(let candidate), .confirming(let candidate):
                if !progress.promotionIssued && candidateIsGone(candidate, now: turn.now) {
                    // Never named primary: simply choose again.
                    progress.lostCandidates.append(candidate)
                    progress.candidate = nil
                    move(&progress, to: .choosing, now: turn.now)
                    continue steps
                }
                if progress.promotionIssued && !progress.confirmed && fresh(candidate, now: turn.now) == nil,
                    case .failed = assess(candidate, now: turn.now)
                {
                    // Named primary, then died before proving itself: this failover ends, and
                    // the next one (from it, under its lease) starts from steady evaluation.
                    finishFailover(candidate, progress, outcome: .candidateFailed, turn: &turn)
                    return
                }
                if case .confirming = progress.step {
                    if progress.confirmed {
                        // Anti-flap: the window opens once the new primary took writes.
                        status.cooldownUntil = turn.now + config.cooldown
                        move(&progress, to: .repointing(candidate), now: turn.now)
                        planRepoint(candidate, &progress, purpose: purpose, turn: &turn)
                        continue steps
                    }
                    if !isInFlight({ $0 == .confirmWritable(candidate) }) && waitedOut("confirm", now: turn.now) {
                        issue(.confirmWritable(candidate), for: purpose, turn: &turn)
                    }
                    break steps
                }
                if progress.promoted {
                    move(&progress, to: .confirming(candidate), now: turn.now)
                    continue steps
                }
                promote(candidate, &progress, purpose: purpose, turn: &turn)
                break steps
            case .repointing(let candidate):
                if !progress.trafficMoved && !isInFlight({ if case .moveTraffic = $0 { true } else { false } })
                    && waitedOut("traffic", now: turn.now)
                {
                    issue(.moveTraffic(primary: candidate, replicas: trafficReplicas(progress)), for: purpose, turn: &turn)
                }
                if progress.trafficMoved && progress.repointing.isEmpty {
                    finishFailover(candidate, progress, outcome: .completed, turn: &turn)
                    return
                }
                break steps
            }
        }
        status.operation = .failover(progress)
        status.state = groupState(for: progress)
    }

    /// Proven dead, or down with nothing recent heard from it.
    func candidateIsGone(_ candidate: String, now: Instant) -> Bool {
        health[candidate]?.isDeathProven == true || (!isUp(candidate) && fresh(candidate, now: now) == nil)
    }

    private func groupState(for progress: FailoverProgress) -> GroupState {
        if let blocked = progress.blocked { return .blocked(blocked) }
        if case .confirming = progress.step { return .confirming }
        return .failingOver(progress.step)
    }

    func move(_ progress: inout FailoverProgress, to step: FailoverStep, now: Instant) {
        progress.timings.append(StepTiming(step: Self.name(of: progress.step), startedAt: progress.stepStartedAt, endedAt: now))
        progress.step = step
        progress.stepStartedAt = now
        progress.blocked = nil
    }

    public static func name(of step: FailoverStep) -> String {
        switch step {
        case .isolating: "isolating"
        case .awaitingLease: "awaitingLease"
        case .choosing: "choosing"
        case .draining: "draining"
        case .promoting: "promoting"
        case .confirming: "confirming"
        case .repointing: "repointing"
        }
    }

    /// Every other member that may hold the group's history (quarantined ones hold divergent
    /// writes and are left alone).
    func isolationTargets(_ progress: FailoverProgress) -> [String] {
        names.filter { $0 != progress.from && !status.isQuarantined($0) }
    }

    /// Members the promotion must account for in semi-sync mode. One waiting to rejoin missed
    /// an earlier promotion: unless it was last seen replicating from the failed primary, it
    /// acknowledged nothing beyond that promotion's GTIDs, which the candidate must hold anyway.
    func accountableTargets(_ progress: FailoverProgress) -> [String] {
        isolationTargets(progress).filter { status.pendingRejoin[$0] == nil || followsOldPrimary($0, progress) }
    }

    /// Whether `name` was last seen replicating from the failing primary (then it may have
    /// acknowledged its writes, whatever our bookkeeping says).
    func followsOldPrimary(_ name: String, _ progress: FailoverProgress) -> Bool {
        guard let old = progress.from, let member = config.member(old) else { return false }
        let observation: InstanceObservation? =
            if case .stopped(let stopped) = progress.isolation[name] { stopped } else { latest[name]?.observation }
        guard let replica = observation?.replica else { return false }
        return member.isAddressed(by: replica.sourceHost, port: replica.sourcePort)
    }

    /// Step 1: fence the old primary if it answers, stop every replica's IO thread so a
    /// half-alive old primary cannot collect semi-sync acknowledgements.
    private mutating func isolate(_ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) {
        // An action still in flight on the old primary (a promotion from an abandoned failover)
        // could undo a fence: the fence goes last.
        if let old = progress.from, !progress.fenceAttempted, progress.oldPrimarySafety == nil, !inFlight(for: old) {
            progress.fenceAttempted = true
            issue(.fence(old), for: purpose, turn: &turn)
        }
        for name in isolationTargets(progress) where progress.isolation[name] == nil && !inFlight(for: name) {
            if health[name]?.isDeathProven == true {
                progress.isolation[name] = .failed("mysqld is down")
            } else {
                issue(.stopIOThread(name), for: purpose, turn: &turn)
            }
        }
    }

    /// A deposed primary that answers again is fenced again (it may still be writable).
    func shouldRefence(_ progress: FailoverProgress, now: Instant) -> Bool {
        guard progress.oldPrimarySafety == nil, let old = progress.from, let seen = latest[old] else { return false }
        return seen.at >= progress.startedAt && !isInFlight({ $0 == .fence(old) }) && waitedOut("fence", now: now)
    }

    private mutating func refenceIfReachable(_ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) {
        guard shouldRefence(progress, now: turn.now), let old = progress.from else { return }
        issue(.fence(old), for: purpose, turn: &turn)
    }

    mutating func failoverResult(_ kind: GroupAction.Kind, _ result: ActionResult, turn: inout Turn) {
        guard var progress = status.failover else { return }
        let now = turn.now
        switch kind {
        case .fence(let name) where name == progress.from:
            if case .succeeded(let observation) = result, observation?.isWritable != true {
                if progress.oldPrimarySafety == nil { progress.oldPrimarySafety = .fenced }
                if let executed = observation?.executedGTIDs {
                    progress.oldPrimaryLastExecuted = executed
                    progress.oldPrimaryLastSeenAt = now
                }
                turn.note(.oldPrimaryFenced, "\(name) answered the fence: read-only")
            } else {
                retryLater("fence", now: now)
            }
        case .stopIOThread(let name):
            if let observation = result.observation, observation.executedGTIDs != nil {
                progress.isolation[name] = .stopped(observation)
            } else if case .failed(let why) = result {
                progress.isolation[name] = .failed(why)
            } else {
                progress.isolation[name] = .failed("no GTIDs read back")
            }
        case .drainRelayLog:
            if let observation = result.observation {
                progress.drained = observation
            } else {
                progress.drainFailures += 1
                retryLater("drain", now: now, after: .zero)
                turn.note(.drainIncomplete, "relay log not applied in time")
            }
        case .promote(let name):
            if result.succeeded {
                progress.promoted = true
                progress.promotionGTIDs = result.observation?.executedGTIDs ?? progress.drained?.executedGTIDs
            } else {
                retryLater("promote", now: now)
                turn.note(.promotionFailed, "promoting \(name) failed; retrying")
            }
        case .confirmWritable(let name):
            if let observation = result.observation, observation.isWritable {
                progress.confirmed = true
                turn.note(.confirmedWritable, "\(name) accepts writes")
            } else {
                retryLater("confirm", now: now)
                turn.note(.confirmFailed, "\(name) not writable yet")
                if isUp(name), let observation = fresh(name, now: now), !observation.isWritable,
                    case .confirming(let candidate) = progress.step
                {
                    // It answers read-only (restarted, say): promote it again (idempotent).
                    progress.promoted = false
                    move(&progress, to: .promoting(candidate), now: now)
                }
            }
        case .moveTraffic:
            if result.succeeded { progress.trafficMoved = true } else { retryLater("traffic", now: now) }
        case .repoint(let name, _):
            progress.repointing.removeAll { $0 == name }
            if !result.succeeded {
                markPendingRejoin(name, forkPoint: progress.promotionGTIDs, now: now)
                progress.pendingRejoin.append(name)
                turn.note(.repointFailed, "\(name) will be checked again when it can be")
            }
        case .quarantine(let name, _):
            progress.repointing.removeAll { $0 == name }
        default:
            break
        }
        status.operation = .failover(progress)
    }

    private func trafficReplicas(_ progress: FailoverProgress) -> [String] {
        progress.repointing.filter { !status.isQuarantined($0) }.sorted()
    }

    private mutating func finishFailover(
        _ candidate: String, _ progress: FailoverProgress, outcome: FailoverRecord.Outcome, turn: inout Turn
    ) {
        var progress = progress
        move(&progress, to: progress.step, now: turn.now)
        let record = FailoverRecord(
            from: progress.from, to: candidate, outcome: outcome, reason: progress.evidence, term: progress.term,
            startedAt: progress.startedAt, completedAt: turn.now, steps: progress.timings,
            promotionGTIDs: progress.promotionGTIDs, lostTransactions: progress.lost, divergent: progress.divergent,
            pendingRejoin: progress.pendingRejoin.sorted())
        status.lastFailover = record
        status.operation = nil
        for key in ["fence", "drain", "promote", "confirm", "traffic"] { retryAt[key] = nil }
        issue(.recordFailover(record), for: .maintenance, turn: &turn)
        switch outcome {
        case .completed:
            turn.note(.failoverCompleted, "\(progress.from ?? "-") → \(candidate) in \(record.durationMs) ms")
        case .candidateFailed:
            turn.note(.failoverAbandoned, "\(candidate) failed before confirming it is writable")
        }
    }

    mutating func markPendingRejoin(_ name: String, forkPoint: GTIDState?, now: Instant) {
        // The earliest fork point missed is the one to check against.
        if status.pendingRejoin[name] == nil { status.pendingRejoin[name] = RejoinCheck(forkPoint: forkPoint, since: now) }
    }
}
