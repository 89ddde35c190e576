import VigilAgent
import VigilHTTP

/// Authenticated, fire-and-forget calls to an agent's sidecar API: the controller needs no
/// answer (what the agent does shows in its next heartbeat or the controller's read-back).
public enum AgentCall {
    public static func post(_ path: String, to baseURL: String, token: String, timeout: Duration) {
        let url = baseURL + path
        Task.detached {
            _ = try? await HTTPClient.request(method: "POST", url: url,
                                              headers: [(AgentAPI.authorizationHeader, AgentAPI.bearer(token))],
                                              timeout: timeout)
        }
    }
}
