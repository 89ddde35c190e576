import Foundation
import VigilKube

extension FakeKubeServer {
    /// Runs `body` with a fresh fake API server and a real client pointed at it; both are
    /// shut down afterwards, also when `body` throws.
    public static func withClient<R: Sendable>(
        options: Options = .init(), namespace: String = "default",
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(50)),
        _ body: (FakeKubeServer, KubeClient) async throws -> R
    ) async throws -> R {
        let server = try await FakeKubeServer.start(options: options)
        let client: KubeClient
        do {
            client = try KubeClient(config: server.config(namespace: namespace), retry: retry, requestTimeout: .seconds(10))
        } catch {
            await server.stop()
            throw error
        }
        do {
            let result = try await body(server, client)
            try await client.shutdown()
            await server.stop()
            return result
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
    }
}
