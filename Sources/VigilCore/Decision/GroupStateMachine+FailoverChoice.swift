/// Steps 3–4 of a failover: choose the candidate, drain it, promote it, and plan the repoints.
extension GroupStateMachine {
    /// Returns whether a candidate was chosen (the step moved to draining).
    mutating func choose(_ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) -> Bool {
        let now = turn.now
        // Replicas that came back are isolated too: their GTIDs count, and they must stop.
        for name in isolationTargets(progress) where !inFlight(for: name) {
            guard !isStopped(name, progress) || progress.lostCandidates.contains(name) else { continue }
            if isUp(name), fresh(name, now: now) != nil, latest[name].map({ $0.at > progress.stepStartedAt }) ?? false {
                progress.isolation[name] = nil
                progress.lostCandidates.removeAll { $0 == name }
                issue(.stopIOThread(name), for: purpose, turn: &turn)
            }
        }
        guard !isInFlight({ if case .stopIOThread = $0 { true } else { false } }) else { return false }

        let candidate: String
        if let forced = progress.forcedCandidate {
            guard isStopped(forced, progress) else {
                return block(&progress, .replicasUnaccounted([forced]), "forced candidate \(forced) not reachable", turn: &turn)
            }
            candidate = forced
        } else {
            var unaccounted: [String] = []
            var deadEarly: [String] = []
            if config.replication == .semiSync {
                for name in accountableTargets(progress) where !isStopped(name, progress) {
                    // Dead since before the old primary's last good probe: it holds nothing
                    // that probe did not see (checked against the candidate below).
                    if let dead = health[name]?.provenDeadSince, let seen = progress.oldPrimaryLastSeenAt, dead < seen {
                        deadEarly.append(name)
                    } else {
                        unaccounted.append(name)
                    }
                }
            }
            if !unaccounted.isEmpty {
                return block(
                    &progress, .replicasUnaccounted(unaccounted),
                    "\(unaccounted.joined(separator: ", ")) may hold acknowledged writes and cannot be read", turn: &turn)
            }
            let decision = CandidateRanking.choose(from: candidateInputs(progress), config: config.ranking)
            guard let chosen = decision.chosen else {
                guard case .none(let why) = decision.outcome else { return false }
                return block(&progress, .noCandidate(why), "\(why)", turn: &turn)
            }
            if config.replication == .semiSync, let fork = status.lastPromotionBaseline,
                held(chosen, progress)?.contains(fork) != true
            {
                // Acknowledged writes up to the last promotion may be anywhere in it: with no
                // live replica holding all of it, promoting would lose some.
                let missing = held(chosen, progress).flatMap { try? $0.missing(from: fork) } ?? fork
                return block(
                    &progress, .lastPromotionNotHeld(missing: missing),
                    "no live replica holds all of the last promotion's GTIDs (\(chosen) lacks \(missing))", turn: &turn)
            }
            if !deadEarly.isEmpty {
                let covered = progress.oldPrimaryLastExecuted.map { last in held(chosen, progress)?.contains(last) ?? false }
                if covered != true {
                    return block(
                        &progress, .replicasUnaccounted(deadEarly),
                        "\(chosen) lacks the old primary's last seen transactions, which a dead replica may hold",
                        turn: &turn)
                }
            }
            candidate = chosen
        }
        progress.candidate = candidate
        turn.note(.candidateChosen, candidate)
        move(&progress, to: .draining(candidate), now: now)
        return true
    }

    private func block(_ progress: inout FailoverProgress, _ reason: BlockReason, _ detail: String, turn: inout Turn) -> Bool {
        if progress.blocked != reason {
            progress.blocked = reason
            let code: Reason.Code = if case .replicasUnaccounted = reason { .replicasUnaccounted } else { .noCandidate }
            turn.note(code, detail)
        }
        return false
    }

    func isStopped(_ name: String, _ progress: FailoverProgress) -> Bool {
        if case .stopped = progress.isolation[name] { return true }
        return false
    }

    /// executed ∪ retrieved as read when its IO thread stopped.
    func held(_ name: String, _ progress: FailoverProgress) -> GTIDState? {
        if name == progress.from { return latest[name].flatMap { Self.held($0.observation) } }
        guard case .stopped(let observation) = progress.isolation[name] else { return nil }
        return Self.held(observation)
    }

    static func held(_ observation: InstanceObservation) -> GTIDState? {
        guard let executed = observation.executedGTIDs else { return nil }
        guard let retrieved = observation.retrievedGTIDs else { return executed }
        return try? executed.union(retrieved)
    }

    func candidateInputs(_ progress: FailoverProgress) -> [CandidateInput] {
        config.members.filter { $0.name != progress.from || oldPrimaryIsBack(progress) }.map { member in
            let stopped: InstanceObservation? =
                if case .stopped(let observation) = progress.isolation[member.name] {
                    observation
                } else if member.name == progress.from {
                    latest[member.name]?.observation
                } else {
                    nil
                }
            let observation = stopped ?? latest[member.name]?.observation
            var executed = observation?.executedGTIDs
            var retrieved = observation?.retrievedGTIDs
            var quarantined = status.isQuarantined(member.name)
            if let check = status.pendingRejoin[member.name], check.checkContainment, !followsOldPrimary(member.name, progress) {
                // It missed a promotion: only its history up to that fork point is the group's
                // (beyond it lies an old primary's unacknowledged tail, or nothing).
                if let fork = check.forkPoint, let observation, let held = Self.held(observation) {
                    executed = try? held.intersection(fork)
                    retrieved = nil
                } else {
                    quarantined = true
                }
            }
            let available = stopped != nil && !progress.lostCandidates.contains(member.name)
            return CandidateInput(
                name: member.name, site: member.site, sitePriority: member.sitePriority, siteRole: member.siteRole,
                healthy: available, reachable: available, executed: executed, retrieved: retrieved,
                lagSeconds: stopped?.replica?.secondsBehindSource, quarantined: quarantined)
        }
    }

    /// The old primary answers again, read-only, after it was made safe: a candidate like any
    /// other (often the only one holding everything), read fresh rather than last-known.
    func oldPrimaryIsBack(_ progress: FailoverProgress) -> Bool {
        guard progress.oldPrimarySafety != nil, let old = progress.from, isUp(old), let seen = latest[old],
            seen.at >= progress.stepStartedAt, !seen.observation.isWritable, seen.observation.executedGTIDs != nil
        else { return false }
        return true
    }

    /// Returns whether the step moved on (to promoting).
    mutating func drain(_ candidate: String, _ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) -> Bool {
        let now = turn.now
        guard !isInFlight({ if case .drainRelayLog = $0 { true } else { false } }) else { return false }
        let target = held(candidate, progress)
        if let drained = progress.drained {
            if let target, let executed = drained.executedGTIDs, executed.contains(target) {
                turn.note(.drainComplete, "\(candidate) applied its relay log")
                move(&progress, to: .promoting(candidate), now: now)
                return true
            }
            progress.drained = nil
            progress.drainFailures += 1
        }
        if progress.drainFailures > 0 && progress.forcedCandidate != nil {
            // Forced: promote with what it applied; the rest is lost and recorded.
            if let target, let executed = latest[candidate]?.observation.executedGTIDs,
                let unapplied = try? target.subtracting(executed), !unapplied.isEmpty
            {
                progress.lost = (try? progress.lost.map { try $0.union(unapplied) } ?? unapplied) ?? unapplied
            }
            turn.note(.drainIncomplete, "promoting \(candidate) without its unapplied relay log (forced)")
            move(&progress, to: .promoting(candidate), now: now)
            return true
        }
        if progress.drainFailures > 0 && candidateIsGone(candidate, now: now) {
            // Gone before promotion: choose again (it stays a witness by its GTIDs at isolation).
            progress.lostCandidates.append(candidate)
            progress.candidate = nil
            progress.drainFailures = 0
            move(&progress, to: .choosing, now: now)
            return true
        }
        // Best effort in time, never in content: promoting would discard a relay log that may
        // hold transactions no other replica applied, so the drain is retried.
        if progress.drainFailures > 0 { progress.blocked = .drainIncomplete(candidate) }
        if waitedOut("drain", now: now) {
            issue(.drainRelayLog(candidate, deadline: now + config.drainTimeout), for: purpose, turn: &turn)
        }
        return false
    }

    mutating func promote(_ candidate: String, _ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) {
        let now = turn.now
        guard !isInFlight({ $0 == .promote(candidate) }), waitedOut("promote", now: now) else { return }
        if !progress.promotionIssued {
            // The word names the new primary before the promotion: its agent never fights it.
            progress.promotionIssued = true
            setWord(primary: candidate, mayWrite: true)
            status.pendingRejoin[candidate] = nil
            // Everything acknowledged so far is in the drained candidate; whatever happens to
            // it, the next promotion must hold this much.
            status.lastPromotionBaseline = progress.drained?.executedGTIDs ?? held(candidate, progress)
                ?? status.lastPromotionBaseline
            // From here the old primary's history beyond the candidate's is not the group's,
            // even if this failover never completes: it must pass the check to come back.
            if let old = progress.from, old != candidate {
                markPendingRejoin(old, forkPoint: progress.drained?.executedGTIDs ?? held(candidate, progress), now: now)
            }
            turn.note(.promotionIssued, "\(candidate), term \(status.term)")
        }
        guard agentHoldsWrite(candidate) else {
            turn.standing = Reason(.promotionIssued, "waiting for \(candidate)'s agent to hold term \(status.term)")
            return
        }
        issue(.promote(candidate), for: purpose, turn: &turn)
    }

    /// Confirmed writable: every other member is repointed if its history is contained in the
    /// promotion GTIDs, quarantined if not, or left to be checked when it returns.
    mutating func planRepoint(_ candidate: String, _ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) {
        let now = turn.now
        let fork = progress.promotionGTIDs ?? latest[candidate]?.observation.executedGTIDs
        if let fork, let last = progress.oldPrimaryLastExecuted, config.replication == .async || progress.forcedCandidate != nil,
            let gone = try? last.subtracting(fork), !gone.isEmpty
        {
            progress.lost = (try? progress.lost.map { try $0.union(gone) } ?? gone) ?? gone
        }
        for name in names where name != candidate && !status.isQuarantined(name) {
            if name == progress.from {
                markPendingRejoin(name, forkPoint: fork, now: now)
                progress.pendingRejoin.append(name)
                continue
            }
            guard case .stopped(let observation) = progress.isolation[name], let fork,
                let errant = Self.errant(observation, beyond: fork)
            else {
                markPendingRejoin(name, forkPoint: fork, now: now)
                progress.pendingRejoin.append(name)
                continue
            }
            progress.repointing.append(name)
            if errant.isEmpty {
                issue(.repoint(name, to: candidate), for: purpose, turn: &turn)
            } else {
                progress.divergent[name] = errant
                quarantine(name, errant: errant, note: "holds transactions the new primary \(candidate) lacks", purpose: purpose, turn: &turn)
            }
        }
    }

    /// Transactions `observation` holds beyond `fork`; MariaDB positions that reached the same
    /// sequence from different servers count too. nil when the GTIDs are not known.
    static func errant(_ observation: InstanceObservation, beyond fork: GTIDState) -> GTIDState? {
        guard let held = held(observation), var errant = try? held.subtracting(fork) else { return nil }
        if case .mariadb(let mine) = held, case .mariadb(let theirs) = fork {
            let diverged = mine.divergentDomains(comparedTo: theirs).compactMap { mine[domain: $0] }
            if !diverged.isEmpty, case .mariadb(let position) = errant {
                errant = .mariadb(position.union(MariaDBGTIDPosition(diverged)))
            }
        }
        return errant
    }

    mutating func quarantine(_ name: String, errant: GTIDState?, note: String, purpose: Purpose, turn: inout Turn) {
        // Recorded before the action runs: from here on nothing makes it writable.
        status.quarantined[name] = QuarantineRecord(errant: errant, since: turn.now, note: note)
        status.pendingRejoin[name] = nil
        issue(.quarantine(name, errant: errant), for: purpose, turn: &turn)
        turn.note(.quarantined, "\(name): \(note)\(errant.map { " [\($0)]" } ?? "")")
    }
}
