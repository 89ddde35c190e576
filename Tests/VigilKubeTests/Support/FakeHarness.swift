import Foundation
import Logging
import NIOConcurrencyHelpers
import VigilKube
import VigilKubeFake

/// Runs `body` with a fresh fake API server and a real client pointed at it (quick retries);
/// both are shut down afterwards, also when `body` throws.
func withFake<R: Sendable>(options: FakeKubeServer.Options = .init(), retry: RetryPolicy = .fastTests,
                           namespace: String = "default",
                           _ body: (FakeKubeServer, KubeClient) async throws -> R) async throws -> R {
    try await FakeKubeServer.withClient(options: options, namespace: namespace, retry: retry, body)
}

/// Runs `body` with an extra client, shut down afterwards whatever happens.
func withClient<R: Sendable>(_ config: KubeConfig, retry: RetryPolicy = .fastTests,
                             _ body: (KubeClient) async throws -> R) async throws -> R {
    let client = try KubeClient(config: config, retry: retry, requestTimeout: .seconds(10))
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

extension RetryPolicy {
    /// Quick backoff so retry tests take milliseconds.
    static let fastTests = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20))
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(10),
                _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Consumes a stream in the background, keeping what arrived and how it ended.
final class StreamRecorder<Element: Sendable>: Sendable {
    private let box = NIOLockedValueBox<(items: [Element], ended: Bool, error: (any Error)?)>(([], false, nil))
    private let task: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<Element, any Error>) {
        let box = self.box
        task = Task {
            do {
                for try await item in stream { box.withLockedValue { $0.items.append(item) } }
                box.withLockedValue { $0.ended = true }
            } catch {
                box.withLockedValue {
                    $0.ended = true
                    $0.error = error
                }
            }
        }
    }

    var items: [Element] { box.withLockedValue { $0.items } }
    var ended: Bool { box.withLockedValue { $0.ended } }
    var error: (any Error)? { box.withLockedValue { $0.error } }

    /// Waits until at least `count` items arrived; returns them (or what arrived by the deadline).
    @discardableResult
    func waitFor(count: Int, within timeout: Duration = .seconds(10)) async -> [Element] {
        _ = await eventually(within: timeout) { items.count >= count }
        return items
    }

    func waitForEnd(within timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(within: timeout) { ended }
    }

    func cancel() { task.cancel() }
}

extension WatchEvent {
    /// `ADDED name`, `MODIFIED name`, `DELETED name`, `BOOKMARK` — compact for assertions.
    var summary: String {
        switch self {
        case .added(let object): "ADDED \(object.metadata.name ?? "")"
        case .modified(let object): "MODIFIED \(object.metadata.name ?? "")"
        case .deleted(let object): "DELETED \(object.metadata.name ?? "")"
        case .bookmark: "BOOKMARK"
        }
    }
}

func configMap(_ name: String, labels: [String: String]? = nil, data: [String: String]? = nil,
               namespace: String? = nil) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), data: data)
}

/// A scratch directory removed when the test ends (call `remove()`).
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "vigil-kube-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
