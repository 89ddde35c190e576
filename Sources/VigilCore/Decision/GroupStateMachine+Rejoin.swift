/// Background care while the group has a working primary: returning instances are fenced,
/// checked against the primary (and the fork point they missed), and rejoined or quarantined;
/// replicas that stopped replicating are pointed at the primary again; a designated primary
/// that is not writable (its promotion was interrupted, or mysqld restarted read-only) is made
/// writable once its agent holds the word.
extension GroupStateMachine {
    mutating func maintain(primary: String, turn: inout Turn) {
        let now = turn.now
        repairPrimary(primary, turn: &turn)
        for name in names where name != primary && !status.isQuarantined(name) {
            guard !inFlight(for: name), isUp(name), let observation = fresh(name, now: now),
                waitedOut("member:" + name, now: now)
            else { continue }
            if let check = status.pendingRejoin[name] {
                if let fenced = rejoinReadBack[name] {
                    // Judge only against a primary observation newer than the read-back: whatever
                    // the instance got from the primary's lineage is in it by then.
                    guard let seen = latest[primary], seen.at > fenced.at, let executed = seen.observation.executedGTIDs
                    else { continue }
                    rejoinReadBack[name] = nil
                    judgeRejoin(name, fenced.observation, primaryExecuted: executed, check: check, primary: primary, turn: &turn)
                } else {
                    // Fence first: a former primary may still be writable; the read-back has its GTIDs.
                    issue(.fence(name), for: .maintenance, turn: &turn)
                    turn.note(.rejoinCheck, "\(name) returned; fencing and checking its GTIDs")
                }
            } else if observation.replica == nil || observation.replica?.ioThread == .no {
                issue(.repoint(name, to: primary), for: .maintenance, turn: &turn)
            }
        }
    }

    private mutating func repairPrimary(_ primary: String, turn: inout Turn) {
        let now = turn.now
        guard let observation = fresh(primary, now: now), !observation.isWritable, !inFlight(for: primary),
            waitedOut("member:" + primary, now: now), agentHoldsWrite(primary)
        else { return }
        retryLater("member:" + primary, now: now, after: config.lease.probeInterval * 3)
        issue(observation.replica == nil ? .setWritable(primary) : .promote(primary), for: .maintenance, turn: &turn)
    }

    private mutating func judgeRejoin(
        _ name: String, _ observation: InstanceObservation, primaryExecuted: GTIDState, check: RejoinCheck,
        primary: String, turn: inout Turn
    ) {
        if !check.checkContainment {
            issue(.rejoinAsReplica(name, source: primary, checkContainment: false), for: .maintenance, turn: &turn)
            return
        }
        guard let errant = Self.errant(observation, against: primaryExecuted, fork: check.forkPoint) else {
            retryLater("member:" + name, now: turn.now, after: config.lease.probeInterval * 3)
            return
        }
        if errant.isEmpty {
            issue(.rejoinAsReplica(name, source: primary, checkContainment: true), for: .maintenance, turn: &turn)
        } else {
            quarantine(name, errant: errant, note: "returned with transactions the primary lacks", purpose: .maintenance, turn: &turn)
        }
    }

    /// What a returning instance holds that the primary's history lacks (nil when its GTIDs
    /// are unknown). MariaDB positions compare sequences only, so two more signs of divergence
    /// count: equal sequences from different servers, and a position past the fork point written
    /// by a server other than the one the primary's position shows (an old primary's tail).
    public static func errantTransactions(
        _ observation: InstanceObservation, primary: GTIDState, forkPoint: GTIDState?
    ) -> GTIDState? {
        errant(observation, against: primary, fork: forkPoint)
    }

    static func errant(_ observation: InstanceObservation, against primary: GTIDState, fork: GTIDState?) -> GTIDState? {
        guard let held = held(observation), var errant = try? held.subtracting(primary) else { return nil }
        if case .mariadb(let mine) = held, case .mariadb(let theirs) = primary, case .mariadb(var extra) = errant {
            for domain in mine.divergentDomains(comparedTo: theirs) { mine[domain: domain].map { extra.insert($0) } }
            if case .mariadb(let forkPosition)? = fork {
                for gtid in mine.gtids where gtid.sequence > forkPosition.sequence(inDomain: gtid.domain) {
                    if theirs[domain: gtid.domain]?.serverID != gtid.serverID { extra.insert(gtid) }
                }
            }
            errant = .mariadb(extra)
        }
        return errant
    }

    mutating func maintenanceResult(_ kind: GroupAction.Kind, _ result: ActionResult, turn: inout Turn) {
        let now = turn.now
        let backoff = config.lease.probeInterval * 3
        switch kind {
        case .fence(let name):
            guard status.pendingRejoin[name] != nil else { return }
            if let observation = result.observation, !observation.isWritable, observation.executedGTIDs != nil {
                rejoinReadBack[name] = Seen(observation: observation, at: now)
            } else {
                retryLater("member:" + name, now: now, after: backoff)
            }
        case .rejoinAsReplica(let name, _, _):
            if result.succeeded {
                status.pendingRejoin[name] = nil
                rejoinFailures[name] = nil
                turn.note(.rejoined, "\(name) replicates from the primary again")
                return
            }
            let failures = rejoinFailures[name, default: 0] + 1
            rejoinFailures[name] = failures
            if failures >= 3, case .failed(let why) = result {
                rejoinFailures[name] = nil
                quarantine(name, errant: nil, note: "could not rejoin (\(why))", purpose: .maintenance, turn: &turn)
            } else {
                retryLater("member:" + name, now: now, after: backoff)
            }
        case .repoint(let name, _):
            guard !result.succeeded else {
                rejoinFailures[name] = nil
                return
            }
            let failures = rejoinFailures[name, default: 0] + 1
            rejoinFailures[name] = failures
            if failures >= 2 {
                // Not contained in the primary: treat it as returning, so it is checked (and
                // quarantined if it really holds transactions the primary lacks).
                rejoinFailures[name] = nil
                markPendingRejoin(name, forkPoint: nil, now: now)
            }
            retryLater("member:" + name, now: now, after: backoff)
        default:
            break
        }
    }
}
