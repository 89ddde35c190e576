import Testing
import VigilAgent
import VigilCore

@Suite("AgentAPI")
struct AgentAPITests {
    @Test func signAndVerify() {
        let body = Array("{\"term\":1}".utf8)
        let signature = AgentAPI.sign(body: body, token: "secret")
        #expect(signature.count == 64)
        #expect(signature == signature.lowercased())
        #expect(AgentAPI.verify(body: body, signature: signature, token: "secret"))
        #expect(AgentAPI.verify(body: body, signature: signature.uppercased(), token: "secret"))
        #expect(!AgentAPI.verify(body: body, signature: signature, token: "other"))
        #expect(!AgentAPI.verify(body: body + [0x20], signature: signature, token: "secret"))
        #expect(!AgentAPI.verify(body: body, signature: nil, token: "secret"))
        #expect(!AgentAPI.verify(body: body, signature: String(signature.dropLast()), token: "secret"))
        #expect(!AgentAPI.verify(body: body, signature: signature, token: ""))
        // RFC 4231 test case 2.
        #expect(AgentAPI.sign(body: Array("what do ya want for nothing?".utf8), token: "Jefe")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func bearerTokens() {
        #expect(AgentAPI.isAuthorized(authorization: "Bearer secret", token: "secret"))
        #expect(AgentAPI.isAuthorized(authorization: "bearer secret", token: "secret"))
        #expect(!AgentAPI.isAuthorized(authorization: "Bearer secre", token: "secret"))
        #expect(!AgentAPI.isAuthorized(authorization: "Bearer secrets", token: "secret"))
        #expect(!AgentAPI.isAuthorized(authorization: "Basic secret", token: "secret"))
        #expect(!AgentAPI.isAuthorized(authorization: nil, token: "secret"))
        #expect(!AgentAPI.isAuthorized(authorization: "Bearer ", token: ""))
        #expect(AgentAPI.bearer("t") == "Bearer t")
    }

    @Test func wireBodies() throws {
        let report = AgentReport(instance: "db-1", term: 2, believedPrimary: "db-2", fence: .fenced, server: .refused)
        #expect(try AgentAPI.decode(AgentReport.self, from: AgentAPI.encode(report)) == report)
        let role = RoleReply(role: .replica, observedAt: "2024-01-01T00:00:00.000Z")
        #expect(String(decoding: try AgentAPI.encode(role), as: UTF8.self).contains("\"role\":\"replica\""))
        #expect(AgentAPI.serverStateName(.running(readOnly: true)) == "running")
        #expect(AgentAPI.serverStateName(.notAnswering) == "notAnswering")
    }
}
