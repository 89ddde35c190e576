import Foundation
import Logging
import VigilCore
import VigilHTTP

extension Agent {
    /// What the controller hears in every heartbeat.
    func currentReport() -> AgentReport {
        var primaryReachable: Bool?
        if case .running = lastLook?.state, let replica = lastLook?.observation?.replica {
            // A replica's IO thread is its connection to the primary's mysqld.
            primaryReachable = replica.ioThread == .yes
        }
        return AgentReport(
            instance: config.instance, term: fencing.term, believedPrimary: fencing.primary,
            fence: AgentReport.Fence(fencing.fence), server: lastLook?.state ?? .unknown,
            primaryReachable: primaryReachable)
    }

    /// Requests must finish within a heartbeat interval (so a silent controller does not
    /// delay the next one), but not below half a second on a busy host.
    var requestTimeout: Duration { max(config.lease.probeInterval, .milliseconds(500)) }

    /// One heartbeat: send the report, feed the (authenticated) controller word. The lease
    /// counts from when the request was sent.
    func heartbeat() async {
        let report = currentReport()
        let body: [UInt8]
        do {
            body = try AgentAPI.encode(report)
        } catch {
            logger.error("cannot encode the heartbeat: \(error)")
            return
        }
        let url = Self.join(config.controller, AgentAPI.heartbeatPath)
        let sentAt = clock.now()
        let response: HTTPResponse
        do {
            response = try await HTTPClient.request(
                method: "POST", url: url,
                headers: [(AgentAPI.authorizationHeader, AgentAPI.bearer(config.token)),
                          ("Content-Type", AgentAPI.jsonContentType)],
                body: body, timeout: requestTimeout)
        } catch {
            heartbeatFailed(error.description)
            return
        }
        guard response.status == 200 else {
            heartbeatFailed("the controller answered HTTP \(response.status)")
            return
        }
        let word: ControllerWord
        do {
            word = try AgentAPI.decode(ControllerWord.self, from: response.body)
        } catch {
            heartbeatFailed("the controller's answer is not a ControllerWord")
            return
        }
        let authenticated = AgentAPI.verify(
            body: response.body, signature: response.header(AgentAPI.signatureHeader), token: config.token)
        let result: AgentMetrics.HeartbeatResult = authenticated ? .ok : .unauthenticated
        metrics.countHeartbeat(result)
        if result != lastHeartbeatResult, lastHeartbeatResult != nil {
            logger.info("controller heartbeat \(result.rawValue)", metadata: ["instance": "\(config.instance)"])
        }
        lastHeartbeatResult = result
        lastHeartbeatProblem = authenticated ? nil : "the controller's signature does not verify"
        if authenticated { lastControllerAnswer = ContinuousClock.now }
        feed(.controllerWord(word, requestSentAt: sentAt, authenticated: authenticated))
    }

    private func heartbeatFailed(_ problem: String) {
        metrics.countHeartbeat(.failed)
        // Log transitions, not every failed second.
        if lastHeartbeatResult != .failed {
            logger.warning("controller heartbeat failed: \(problem)", metadata: ["instance": "\(config.instance)"])
        }
        lastHeartbeatResult = .failed
        lastHeartbeatProblem = problem
    }

    /// One ping: a signed vouch renews the lease (self-fencing decides whether it counts).
    func ping(_ peer: AgentConfig.Peer) async {
        let url = Self.join(peer.sidecar, AgentAPI.peerPingPath)
        let sentAt = clock.now()
        var record = peersSeen[peer.name] ?? PeerRecord()
        defer { peersSeen[peer.name] = record }
        let response: HTTPResponse
        do {
            response = try await HTTPClient.request(
                url: url, headers: [(AgentAPI.authorizationHeader, AgentAPI.bearer(config.token))],
                timeout: requestTimeout)
        } catch {
            record.lastError = error.description
            metrics.countPing(peer: peer.name, .failed)
            return
        }
        guard response.status == 200 else {
            record.lastError = "HTTP \(response.status)"
            metrics.countPing(peer: peer.name, .failed)
            return
        }
        guard AgentAPI.verify(body: response.body, signature: response.header(AgentAPI.signatureHeader), token: config.token)
        else {
            record.lastError = "signature does not verify"
            metrics.countPing(peer: peer.name, .unauthenticated)
            return
        }
        guard let vouch = try? AgentAPI.decode(PeerVouch.self, from: response.body) else {
            record.lastError = "the answer is not a PeerVouch"
            metrics.countPing(peer: peer.name, .failed)
            return
        }
        record.lastAnswer = ContinuousClock.now
        record.vouch = vouch
        record.lastError = nil
        metrics.countPing(peer: peer.name, .ok)
        feed(.peerAnswered(peer: peer.name, vouch, requestSentAt: sentAt))
    }

    /// `base` (with or without a trailing slash) + `path`.
    static func join(_ base: String, _ path: String) -> String {
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed + path
    }
}
