import AsyncHTTPClient
import Foundation
import NIOCore

extension KubeClient {
    /// Opens a watch and returns once the server has accepted it (so an error such as 410,
    /// 403 or 404 is thrown here). The stream ends when the server closes the watch
    /// (timeout, restart) and throws `KubeError` for an ERROR event or a broken connection.
    /// Cancelling the consuming task or dropping the stream closes the connection.
    public func watch<T: KubeResource>(_ type: T.Type, namespace: String? = nil, allNamespaces: Bool = false,
                                       options: WatchOptions = WatchOptions())
        async throws(KubeError) -> AsyncThrowingStream<WatchEvent<T>, any Error>
    {
        let path = T.collectionPath(namespace: allNamespaces ? nil : scope(T.self, namespace))
        let label = "WATCH \(path)"
        let response = try await openStream(path: path, query: options.query, label: label)
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<T>, any Error>.makeStream()
        let pump = Task {
            var buffer = WatchLineBuffer()
            do {
                for try await chunk in response.body {
                    for line in try buffer.append(chunk.readableBytesView) {
                        continuation.yield(try WatchEvent<T>.decode(line: line, label: label))
                    }
                }
                if let rest = buffer.finish() {
                    continuation.yield(try WatchEvent<T>.decode(line: rest, label: label))
                }
                continuation.finish()
            } catch let error as KubeError {
                continuation.finish(throwing: error)
            } catch let error as WatchLineBuffer.LineTooLong {
                continuation.finish(throwing: KubeError(kind: .decoding, message: "\(error)", request: label))
            } catch {
                continuation.finish(throwing: transportError(error, label: label))
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }

    /// Sends a GET whose body is streamed: retries like any idempotent call until the head
    /// arrives; a non-2xx answer is read in full and thrown.
    func openStream(path: String, query: [(String, String)], label: String) async throws(KubeError)
        -> HTTPClientResponse
    {
        var attempt = 0
        while true {
            attempt += 1
            let failure: KubeError
            do {
                let request = try makeRequest(method: .GET, path: path, query: query, body: nil, contentType: nil)
                let response = try await execute(request, label: label)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return response }
                let body = (try? await response.body.collect(upTo: 1024 * 1024)) ?? ByteBuffer()
                failure = Self.apiError(status: status, headers: response.headers, body: body, label: label)
            } catch {
                failure = error
            }
            guard attempt < retry.maxAttempts, Self.shouldRetry(failure, .idempotent) else { throw failure }
            do {
                try await Task.sleep(for: retry.delay(afterAttempt: attempt,
                                                      retryAfterSeconds: failure.retryAfterSeconds))
            } catch {
                throw KubeError(kind: .cancelled, message: "cancelled while waiting to retry", request: label)
            }
        }
    }
}
