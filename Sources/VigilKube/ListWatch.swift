import Logging

/// What the list-then-watch helper reports.
public enum ListWatchEvent<T: KubeResource>: Sendable {
    /// A full list (the first, and again after a 410): replace your cache with `items`.
    case listed(items: [T], resourceVersion: String)
    case added(T)
    case modified(T)
    case deleted(T)
}

extension KubeClient {
    /// Informer-style list-then-watch: lists, then watches from the list's resourceVersion,
    /// reconnecting from the last seen event or bookmark when the server ends a watch, and
    /// listing again when the version is too old (HTTP 410 or a 410 ERROR event). Other
    /// failures are retried with backoff for ever; the stream ends only when cancelled
    /// (or, with a non-retryable error such as 403/404, throws it).
    public func listWatch<T: KubeResource>(_ type: T.Type, namespace: String? = nil, allNamespaces: Bool = false,
                                           labelSelector: String? = nil, fieldSelector: String? = nil,
                                           watchTimeoutSeconds: Int = 300)
        -> AsyncThrowingStream<ListWatchEvent<T>, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<ListWatchEvent<T>, any Error>.makeStream()
        let task = Task {
            var resourceVersion: String?
            var failures = 0
            while !Task.isCancelled {
                do {
                    if resourceVersion == nil {
                        let list = try await listAll(type, namespace: namespace, allNamespaces: allNamespaces,
                                                     labelSelector: labelSelector, fieldSelector: fieldSelector)
                        let version = list.metadata.resourceVersion ?? ""
                        continuation.yield(.listed(items: list.items, resourceVersion: version))
                        resourceVersion = version
                    }
                    let options = WatchOptions(resourceVersion: resourceVersion, labelSelector: labelSelector,
                                               fieldSelector: fieldSelector, allowWatchBookmarks: true,
                                               timeoutSeconds: watchTimeoutSeconds)
                    let events = try await watch(type, namespace: namespace, allNamespaces: allNamespaces,
                                                 options: options)
                    failures = 0
                    for try await event in events {
                        if let version = event.resourceVersion, !version.isEmpty { resourceVersion = version }
                        switch event {
                        case .added(let object): continuation.yield(.added(object))
                        case .modified(let object): continuation.yield(.modified(object))
                        case .deleted(let object): continuation.yield(.deleted(object))
                        case .bookmark: break
                        }
                    }
                    // The server closed the watch normally: resume from where we are.
                    logger.debug("watch of \(T.plural) ended; resuming from \(resourceVersion ?? "-")")
                } catch let error as KubeError where error.isGone {
                    logger.info("watch of \(T.plural) expired (\(error.message)); listing again")
                    resourceVersion = nil
                } catch let error as KubeError where error.kind == .cancelled || Task.isCancelled {
                    _ = error
                    break
                } catch let error as KubeError where Self.listWatchGivesUp(error) {
                    continuation.finish(throwing: error)
                    return
                } catch {
                    failures += 1
                    logger.warning("watch of \(T.plural) failed: \(error); retrying")
                    let delay = retry.delay(afterAttempt: min(failures, 8),
                                            retryAfterSeconds: (error as? KubeError)?.retryAfterSeconds)
                    try? await Task.sleep(for: delay)
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func listWatchGivesUp(_ error: KubeError) -> Bool {
        switch error.kind {
        case .unauthorized, .forbidden, .notFound, .badRequest, .methodNotAllowed, .invalid, .request: true
        default: false
        }
    }
}
