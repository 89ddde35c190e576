/// Holistic detection: what the controller's probes, the replicas and the agents say about
/// the primary, combined. The primary is failed only when the controller cannot reach it *and*
/// the replicas agree; a controller-only blip never starts a failover. An agent's proof of
/// death needs no agreement.
public enum PrimaryAssessment: Sendable, Hashable {
    case healthy
    /// Missed some probes, not yet `failureThreshold`.
    case suspect(missedProbes: Int)
    /// The controller lost it, but these replicas still see it (or none can tell).
    case controllerOnly(seenBy: [String])
    case failed(FailureEvidence)
}

/// One replica's opinion of the primary.
public enum ReplicaOpinion: Sendable, Hashable {
    case seesPrimary
    case lostPrimary
}

extension GroupStateMachine {
    /// Judges `primary` from everything heard so far.
    public func assess(_ primary: String, now: Instant) -> PrimaryAssessment {
        let primaryHealth = health[primary] ?? InstanceHealth()
        if primaryHealth.isDeathProven { return .failed(.deathProven) }
        guard primaryHealth.verdict == .down else {
            return primaryHealth.consecutiveFailures > 0 ? .suspect(missedProbes: primaryHealth.consecutiveFailures) : .healthy
        }
        var agree: [String] = []
        var disagree: [String] = []
        for name in names where name != primary && !status.isQuarantined(name) {
            switch opinion(of: name, about: primary, now: now) {
            case .lostPrimary?: agree.append(name)
            case .seesPrimary?: disagree.append(name)
            case nil: break
            }
        }
        if !agree.isEmpty && disagree.isEmpty { return .failed(.unreachableConfirmedBy(agree)) }
        return .controllerOnly(seenBy: disagree)
    }

    /// A fresh agent opinion wins (when it is about `primary`); else the replica's IO thread as
    /// last probed (when it replicates from `primary`). nil when the replica cannot be heard: an
    /// unreachable replica is no witness either way.
    public func opinion(of replica: String, about primary: String, now: Instant) -> ReplicaOpinion? {
        if let heard = reports[replica], now.millisecondsSinceEpoch - heard.at.millisecondsSinceEpoch <= freshnessMs,
            !heard.report.server.isDown, heard.report.believedPrimary == primary,
            let reachable = heard.report.primaryReachable
        {
            return reachable ? .seesPrimary : .lostPrimary
        }
        guard isUp(replica), let observation = fresh(replica, now: now), let replication = observation.replica,
            config.member(primary)?.isAddressed(by: replication.sourceHost, port: replication.sourcePort) == true
        else { return nil }
        return replication.ioThread == .yes ? .seesPrimary : .lostPrimary
    }
}
