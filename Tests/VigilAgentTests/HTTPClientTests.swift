import Foundation
import Hummingbird
import NIOCore
import Testing
@testable import VigilHTTP
import VigilTestSupport

@Suite("HTTPClient")
struct HTTPClientTests {
    private func echoServer() async throws -> TestHTTPServer {
        let router = Router()
        router.get("/hello") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "hello")))
        }
        router.post("/echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[.contentType] = request.headers[.authorization] ?? "none"
            return Response(status: .created, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        router.get("/big") { _, _ -> Response in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: 0x41, count: 2 << 20)))
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(5))
            return Response(status: .ok)
        }
        return try await TestHTTPServer.start(router)
    }

    @Test func getAndPost() async throws {
        let server = try await echoServer()
        let hello = try await HTTPClient.request(url: "\(server.baseURL)/hello", timeout: .seconds(2))
        #expect(hello.status == 200)
        #expect(hello.text == "hello")
        #expect(hello.header("content-type") == "text/plain")

        let payload = Array("{\"a\":1}".utf8)
        let echoed = try await HTTPClient.request(
            method: "POST", url: "\(server.baseURL)/echo", headers: [("Authorization", "Bearer x")], body: payload,
            timeout: .seconds(2))
        #expect(echoed.status == 201)
        #expect(echoed.body == payload)
        #expect(echoed.header("Content-Type") == "Bearer x")

        let missing = try await HTTPClient.request(url: "\(server.baseURL)/nope", timeout: .seconds(2))
        #expect(missing.status == 404)
        await server.stop()
    }

    @Test func connectionRefused() async throws {
        let port = try MariaDBServer.freePort()
        await #expect(throws: HTTPClientError.connectionRefused(endpoint: "http://127.0.0.1:\(port)/x")) {
            _ = try await HTTPClient.request(url: "http://127.0.0.1:\(port)/x", timeout: .seconds(2))
        }
    }

    @Test func silentServerTimesOut() async throws {
        let silent = try await RawTCPServer.start(reply: nil)
        let start = ContinuousClock.now
        do {
            _ = try await HTTPClient.request(url: silent.baseURL, timeout: .milliseconds(300))
            Issue.record("a silent server must time out")
        } catch {
            guard case .timeout = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(1), "took \(elapsed)")
        await silent.stop()
    }

    @Test func slowHandlerTimesOut() async throws {
        let server = try await echoServer()
        do {
            _ = try await HTTPClient.request(url: "\(server.baseURL)/slow", timeout: .milliseconds(200))
            Issue.record("expected a timeout")
        } catch {
            #expect(error == .timeout(endpoint: "\(server.baseURL)/slow", after: .milliseconds(200)))
        }
        await server.stop()
    }

    @Test func malformedResponse() async throws {
        let garbage = try await RawTCPServer.start(reply: Array("this is not HTTP\r\n\r\n".utf8))
        do {
            _ = try await HTTPClient.request(url: garbage.baseURL, timeout: .seconds(2))
            Issue.record("expected a malformed-response error")
        } catch {
            guard case .malformedResponse = error else {
                Issue.record("expected malformedResponse, got \(error)")
                return
            }
        }
        await garbage.stop()
    }

    @Test func closedBeforeComplete() async throws {
        let truncated = try await RawTCPServer.start(
            reply: Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".utf8))
        do {
            _ = try await HTTPClient.request(url: truncated.baseURL, timeout: .seconds(2))
            Issue.record("expected an error for a truncated body")
        } catch {
            switch error {
            case .connectionClosed, .malformedResponse: break
            default: Issue.record("expected connectionClosed, got \(error)")
            }
        }
        await truncated.stop()
    }

    @Test func bodyUntilClose() async throws {
        let server = try await RawTCPServer.start(reply: Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-eof".utf8))
        let response = try await HTTPClient.request(url: server.baseURL, timeout: .seconds(2))
        #expect(response.status == 200)
        #expect(response.text == "until-eof")
        await server.stop()
    }

    @Test func responseSizeIsBounded() async throws {
        let server = try await echoServer()
        do {
            _ = try await HTTPClient.request(url: "\(server.baseURL)/big", timeout: .seconds(5), maxResponseBytes: 1 << 20)
            Issue.record("expected responseTooLarge")
        } catch {
            #expect(error == .responseTooLarge(endpoint: "\(server.baseURL)/big", limit: 1 << 20))
        }
        let whole = try await HTTPClient.request(url: "\(server.baseURL)/big", timeout: .seconds(5))
        #expect(whole.body.count == 2 << 20)
        await server.stop()
    }

    @Test func invalidURLs() async throws {
        for url in ["https://127.0.0.1:1/", "127.0.0.1:80", "http://", "http://host:99999/", "http://host:abc/", "http://u@h/"] {
            await #expect(throws: HTTPClientError.invalidURL(url)) {
                _ = try await HTTPClient.request(url: url, timeout: .seconds(1))
            }
        }
        let target = try HTTPTarget(url: "http://[::1]:8080/a?b=c")
        #expect(target.host == "::1")
        #expect(target.port == 8080)
        #expect(target.path == "/a?b=c")
        #expect(try HTTPTarget(url: "http://example.com").path == "/")
        #expect(try HTTPTarget(url: "http://example.com").port == 80)
    }

    /// IP literals (all of Vigil's own addresses) are connected to without name resolution:
    /// getaddrinfo ran on a libdispatch thread once per heartbeat and each such job parked a
    /// continuation in that thread's cache (the agent's slow memory creep). Names still resolve.
    @Test func literalHostsSkipNameResolution() async throws {
        let v4 = HTTPClient.literalAddress(HTTPTarget(host: "127.0.0.1", port: 8080, path: "/"))
        #expect(v4?.ipAddress == "127.0.0.1")
        #expect(v4?.port == 8080)
        let v6 = HTTPClient.literalAddress(try HTTPTarget(url: "http://[::1]:8081/x"))
        #expect(v6?.ipAddress == "::1")
        #expect(v6?.port == 8081)
        #expect(HTTPClient.literalAddress(HTTPTarget(host: "localhost", port: 80, path: "/")) == nil)
        #expect(HTTPClient.literalAddress(HTTPTarget(host: "db-0.vigil.svc", port: 80, path: "/")) == nil)

        let server = try await echoServer()
        let byAddress = try await HTTPClient.request(url: "\(server.baseURL)/hello", timeout: .seconds(2))
        #expect(byAddress.text == "hello")
        let byName = try await HTTPClient.request(url: "http://localhost:\(server.port)/hello", timeout: .seconds(2))
        #expect(byName.text == "hello")
        await server.stop()
    }

    @Test func cancellationEndsTheRequest() async throws {
        let silent = try await RawTCPServer.start(reply: nil)
        let task = Task { try await HTTPClient.request(url: silent.baseURL, timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - start < .seconds(1))
        if case .success = result { Issue.record("a cancelled request must not succeed") }
        await silent.stop()
    }
}
