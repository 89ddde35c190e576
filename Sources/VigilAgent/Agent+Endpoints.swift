import Foundation
import VigilCore

/// What the endpoints serve. Everything comes from cached state: no handler waits for
/// mysqld unless it changes it.
extension Agent {
    /// The role probe's answer, from the latest look (no query).
    func role() -> AgentRole {
        guard let look = lastLook, case .running = look.state, let observation = look.observation else { return .unknown }
        if observation.replica != nil { return .replica }
        if fencing.fence.isFenced { return .fenced }
        return observation.isWritable ? .primary : .fenced
    }

    func roleReply() -> RoleReply {
        RoleReply(role: role(), observedAt: lastLook.map { AgentAPI.timestamp($0.wallClock) })
    }

    func health() -> HealthReply {
        HealthReply(mysqld: AgentAPI.serverStateName(lastLook?.state ?? .unknown))
    }

    func vouch() -> PeerVouch {
        fencing.vouch(at: clock.now())
    }

    func status() -> StatusReply {
        let observation = lastLook?.observation
        let now = ContinuousClock.now
        var peers: [String: StatusReply.Peer] = [:]
        for peer in config.peers {
            let record = peersSeen[peer.name]
            let ago = record?.lastAnswer.map { Double((now - $0).wholeMilliseconds) / 1000 }
            peers[peer.name] = StatusReply.Peer(
                lastAnswerSecondsAgo: ago, term: record?.vouch?.term, vouchesFor: record?.vouch?.primary,
                lastError: record?.lastError)
        }
        let replica = observation?.replica.map {
            StatusReply.Replica(
                source: "\($0.sourceHost):\($0.sourcePort)", ioThread: $0.ioThread.rawValue,
                sqlThreadRunning: $0.sqlThreadRunning, lastIOError: $0.lastIOError, lastSQLError: $0.lastSQLError)
        }
        return StatusReply(
            instance: config.instance,
            flavor: config.flavor.rawValue,
            role: role(),
            readOnly: observation?.readOnly,
            superReadOnly: observation?.superReadOnly,
            executedGTIDs: observation?.executedGTIDs.map { "\($0)" },
            replica: replica,
            lagSeconds: observation?.replica?.secondsBehindSource,
            fence: AgentReport.Fence(fencing.fence).rawValue,
            fenceReason: fencing.fence.reason?.rawValue,
            leaseRemainingSeconds: leaseRemainingSeconds(),
            term: fencing.term,
            believedPrimary: fencing.primary,
            primaryMayWrite: fencing.primaryMayWrite,
            peers: peers,
            controllerAnsweredSecondsAgo: lastControllerAnswer.map { Double((now - $0).wholeMilliseconds) / 1000 },
            controllerProblem: lastHeartbeatProblem,
            server: AgentAPI.serverStateName(lastLook?.state ?? .unknown),
            observedAt: lastLook.map { AgentAPI.timestamp($0.wallClock) })
    }

    /// `GET /metrics`: time-dependent gauges are refreshed at scrape time.
    func metricsText() -> [UInt8] {
        updateFenceMetrics()
        metrics.record(role: role())
        return metrics.text()
    }

    /// `POST /v1/fence`: fence now (read_only ON, kill client connections), heartbeat at
    /// once, and answer with fresh state.
    func requestFence() async -> (FenceResult, StatusReply) {
        guard let actions else { return (.failed("the agent is not running"), status()) }
        nextRequestID += 1
        let id = nextRequestID
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<FenceResult, Never>) in
            requestedFences[id] = continuation
            actions.yield(.requestedFence(id: id))
        }
        heartbeatBell.ring()
        await freshLook()
        return (result, status())
    }

    /// `POST /v1/unfence`: ask the controller now. Only its authenticated word lifts the
    /// fence, through self-fencing.
    func requestUnfence() async -> StatusReply {
        await heartbeat()
        return status()
    }

    /// `POST /v1/poke`: heartbeat now, without waiting for it.
    func poke() {
        heartbeatBell.ring()
    }
}
