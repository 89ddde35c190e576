import Testing
import VigilKube
import VigilKubeFake

@Suite("Retries")
struct RetryTests {
    @Test func retriesThrottlingAndServerErrors() async throws {
        try await withFake { server, client in
            _ = try await client.create(configMap("a"))
            server.clearRequests()
            server.injectFailures(count: 1, status: 429, retryAfterSeconds: 1)
            server.injectFailures(count: 1, status: 503)
            let start = ContinuousClock.now
            let read = try await client.get(ConfigMap.self, name: "a")
            #expect(read.name == "a")
            #expect(server.requests.count == 3)
            // Retry-After: 1 was honoured.
            #expect(ContinuousClock.now - start >= .seconds(1))
        }
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        try await withFake(retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1),
                                              maxBackoff: .milliseconds(2))) { server, client in
            server.injectFailures(count: 5, status: 500)
            let error = await #expect(throws: KubeError.self) { try await client.list(ConfigMap.self) }
            #expect(error?.kind == .serverError)
            #expect(error?.httpStatus == 500)
            #expect(server.requests.count == 3)
        }
    }

    @Test func noRetryOnClientErrors() async throws {
        try await withFake { server, client in
            _ = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, name: "missing") }
            #expect(server.requests.count == 1)

            let original = try await client.create(configMap("c"))
            _ = try await client.update(original)  // no-op, still fine
            var changed = original
            changed.data = ["x": "1"]
            _ = try await client.update(changed)
            server.clearRequests()
            _ = await #expect(throws: KubeError.self) { try await client.update(original.withData(["y": "2"])) }
            #expect(server.requests.count == 1)
        }
    }

    @Test func createIsNotRetriedOnServerErrorsButIsOnThrottling() async throws {
        try await withFake { server, client in
            server.injectFailures(count: 1, status: 500, matching: "POST")
            let error = await #expect(throws: KubeError.self) { try await client.create(configMap("once")) }
            #expect(error?.kind == .serverError)
            #expect(server.requests.count == 1)

            server.clearRequests()
            server.injectFailures(count: 2, status: 429, matching: "POST")
            let created = try await client.create(configMap("throttled"))
            #expect(created.name == "throttled")
            #expect(server.requests.count == 3)
        }
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        let server = try await FakeKubeServer.start()
        let url = server.url
        await server.stop()
        try await withClient(KubeConfig(server: url)) { client in
            let error = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, name: "x") }
            #expect(error?.kind == .transport)
        }
    }

    @Test func backoffGrowsIsCappedAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1),
                                 maxRetryAfter: .seconds(5))
        for attempt in 1...10 {
            let delay = policy.delay(afterAttempt: attempt, retryAfterSeconds: nil)
            let ceiling = min(Duration.milliseconds(100) * (1 << (attempt - 1)), .seconds(1))
            #expect(delay >= ceiling / 2 && delay <= ceiling)
        }
        #expect(policy.delay(afterAttempt: 1, retryAfterSeconds: 3) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfterSeconds: 3600) == .seconds(5))
    }
}

extension ConfigMap {
    func withData(_ data: [String: String]) -> ConfigMap {
        var copy = self
        copy.data = data
        return copy
    }
}
