import Foundation
import VigilControl
import VigilCore
import VigilHTTP

/// Operator requests to a running group's controller (`vigil local switchover`, …), over its
/// HTTP API with the group's bearer token.
extension LocalGroup {
    /// Asks for a planned switchover and waits until it completed or rolled back.
    public static func switchover(_ layout: LocalLayout, to target: String?,
                                  timeout: Duration = .seconds(120)) async throws(LocalError) -> SwitchoverRecord {
        let before = try runningState(layout).group?.lastSwitchover
        let reply = try await post(layout, "/v1/switchover", body: SwitchoverAsk(to: target))
        guard reply.accepted else { throw .failed("switchover refused: \(reply.reason)") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let group = try? LocalState.load(layout).group, group.operation == nil,
               let record = group.lastSwitchover, record != before {
                return record
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw .failed("the switchover did not finish within \(timeout); see `vigil local status` and \(layout.supervisorLog)")
    }

    /// An explicit operator decision (cooldown override, lifting a quarantine, forced promotion);
    /// the controller records it whether it accepts it or not.
    public static func operatorCommand(_ layout: LocalLayout, _ command: OperatorCommand) async throws(LocalError) -> ControllerReply {
        _ = try runningState(layout)
        let reply = try await post(layout, "/v1/operator", body: command)
        guard reply.accepted else { throw .failed("refused: \(reply.reason)") }
        return reply
    }

    /// Re-copies `instance` from the primary (mariadb-backup) and lets it rejoin; waits for it.
    public static func rebuild(_ layout: LocalLayout, _ instance: String) async throws(LocalError) -> ControllerReply {
        _ = try runningState(layout)
        let reply = try await post(layout, "/v1/rebuild", body: RebuildAsk(instance: instance), timeout: .seconds(1200))
        guard reply.accepted else { throw .failed(reply.reason) }
        return reply
    }

    static func runningState(_ layout: LocalLayout) throws(LocalError) -> LocalState {
        let state = try LocalState.load(layout)
        guard supervisorPID(layout) != nil, state.phase == .running else {
            throw .failed("the group in \(layout.root) is not running; start it with `vigil local up --dir \(layout.root)`")
        }
        return state
    }

    static func post<Body: Encodable>(_ layout: LocalLayout, _ path: String, body: Body,
                                      timeout: Duration = .seconds(10)) async throws(LocalError) -> ControllerReply {
        let state = try LocalState.load(layout)
        let credentials = try LocalCredentials.load(layout)
        let url = "http://127.0.0.1:\(state.spec.controllerPort)\(path)"
        let response: HTTPResponse
        do {
            let data = try JSONEncoder().encode(body)
            response = try await HTTPClient.request(
                method: "POST", url: url,
                headers: [("Authorization", "Bearer \(credentials.agentToken)"), ("Content-Type", "application/json")],
                body: Array(data), timeout: timeout)
        } catch {
            throw .failed("cannot reach the controller at \(url): \(error)")
        }
        guard response.status == 200, var reply = try? JSONDecoder().decode(ControllerReply.self, from: Data(response.body)) else {
            throw .failed("the controller answered \(response.status): \(response.text)")
        }
        reply.reason = readableInstants(reply.reason)
        reply.trail = reply.trail.map(readableInstants)
        return reply
    }

    /// The decision core writes its instants as `@<ms>ms` (controller clock = wall-clock ms
    /// locally); people read ISO 8601.
    public static func readableInstants(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let at = rest.firstIndex(of: "@") {
            out += rest[..<at]
            let digits = rest[rest.index(after: at)...].prefix { $0.isNumber }
            let after = rest.index(at, offsetBy: 1 + digits.count)
            if !digits.isEmpty, rest[after...].hasPrefix("ms"), let ms = Int64(digits) {
                out += ControllerClock.iso8601(Instant(millisecondsSinceEpoch: ms))
                rest = rest[rest.index(after, offsetBy: 2)...]
            } else {
                out += "@"
                rest = rest[rest.index(after: at)...]
            }
        }
        return out + rest
    }
}
