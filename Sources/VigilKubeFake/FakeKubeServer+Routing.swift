import Foundation
import NIOCore
import NIOHTTP1
import VigilKube

/// The REST surface: `/api/v1/…` and `/apis/{group}/{version}/…`, namespaced
/// (`namespaces/{ns}/{plural}`) or cluster-wide, objects and their `/status`.
extension FakeKubeServer {
    struct Route {
        var type: FakeResourceType
        var namespace: String?
        var name: String?
        var status: Bool
    }

    func handle(_ request: FakeRequest) -> FakeReply {
        let (path, query) = Self.split(request.uri)
        recorded.withLockedValue {
            $0.append(RecordedRequest(method: request.method.rawValue, path: path,
                                      query: request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""))
        }
        let label = "\(request.method.rawValue) \(path)"
        if let failure = injected.withLockedValue({ queue -> Injected? in
            guard let index = queue.firstIndex(where: { $0.matching.map(label.contains) ?? true }) else { return nil }
            return queue.remove(at: index)
        }) {
            var headers: [(String, String)] = []
            if let seconds = failure.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
            let reason = failure.status == 429 ? "TooManyRequests" : (failure.status >= 500 ? "InternalError" : "BadRequest")
            return Self.error(FakeAPIError(code: failure.status, reason: reason, message: "injected failure"),
                              headers: headers)
        }
        if let token = bearerToken.withLockedValue({ $0 }),
           request.headers.first(name: "Authorization") != "Bearer \(token)" {
            return Self.error(FakeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized"))
        }
        do {
            return try serve(request, path: path, query: query)
        } catch {
            return Self.error(error)
        }
    }

    private func serve(_ request: FakeRequest, path: String, query: [String: String]) throws(FakeAPIError) -> FakeReply {
        let route = try resolve(path)
        let manager = query["fieldManager"] ?? request.headers.first(name: "User-Agent").map {
            String($0.split(separator: "/").first ?? "unknown")
        } ?? "unknown"
        let body = Array(request.body.readableBytesView)
        func json() throws(FakeAPIError) -> JSONValue {
            guard let value = try? KubeCodec.decode(JSONValue.self, from: Data(body)) else {
                throw .badRequest("the request body is not valid JSON")
            }
            return value
        }
        let type = route.type
        switch (request.method, route.name) {
        case (.GET, nil):
            let labels: LabelSelectorQuery
            do {
                labels = try LabelSelectorQuery(parsing: query["labelSelector"] ?? "")
            } catch {
                throw .badRequest(error.description)
            }
            let fields = try FieldSelector(parsing: query["fieldSelector"] ?? "", kind: type.kind)
            if query["watch"] == "true" || query["watch"] == "1" {
                return try watch(route, labels: labels, fields: fields, query: query)
            }
            let limit = query["limit"].flatMap { Int($0) }
            let list = try locked { state throws(FakeAPIError) in
                try state.list(type, namespace: route.namespace, labels: labels, fields: fields, limit: limit,
                               continueToken: query["continue"])
            }
            return Self.ok(list)
        case (.POST, nil):
            let object = try json()
            let created = try locked { state throws(FakeAPIError) in
                try state.create(type, namespace: route.namespace, body: object, manager: manager)
            }
            return Self.ok(created, status: 201)
        case (.GET, let name?):
            let object = try locked { state throws(FakeAPIError) in
                try state.get(type, namespace: route.namespace, name: name)
            }
            return Self.ok(object)
        case (.PUT, let name?):
            let object = try json()
            let updated = try locked { state throws(FakeAPIError) in
                try state.update(type, namespace: route.namespace, name: name, body: object, status: route.status,
                                 manager: manager)
            }
            return Self.ok(updated)
        case (.PATCH, let name?):
            let contentType = request.headers.first(name: "Content-Type")?.split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let patch = try json()
            let patched: JSONValue
            switch contentType {
            case "application/merge-patch+json":
                patched = try locked { state throws(FakeAPIError) in
                    try state.mergePatch(type, namespace: route.namespace, name: name, patch: patch,
                                         status: route.status, manager: manager)
                }
            case "application/apply-patch+yaml":
                let force = query["force"] == "true"
                let outcome = try locked { state throws(FakeAPIError) in
                    try state.apply(type, namespace: route.namespace, name: name, body: patch, status: route.status,
                                    manager: query["fieldManager"], force: force)
                }
                // An apply that creates answers 201, like a create.
                return Self.ok(outcome.object, status: outcome.created ? 201 : 200)
            default:
                throw FakeAPIError(code: 415, reason: "UnsupportedMediaType",
                                   message: "the fake server supports merge patch and apply, not \(contentType)")
            }
            return Self.ok(patched)
        case (.DELETE, let name?):
            var options: JSONValue = [:]
            if !body.isEmpty { options = try json() }
            let policy = (options["propagationPolicy"]?.stringValue ?? query["propagationPolicy"])
                .flatMap(PropagationPolicy.init(rawValue:))
            if let orphan = options["orphanDependents"]?.boolValue, orphan, policy == nil {
                return try delete(route, name, .orphan, options)
            }
            return try delete(route, name, policy, options)
        default:
            throw FakeAPIError(code: 405, reason: "MethodNotAllowed",
                               message: "the server does not allow this method on the requested resource")
        }
    }

    private func delete(_ route: Route, _ name: String, _ policy: PropagationPolicy?,
                        _ options: JSONValue) throws(FakeAPIError) -> FakeReply {
        let object = try locked { state throws(FakeAPIError) in
            try state.delete(route.type, namespace: route.namespace, name: name, propagation: policy,
                             preconditionUID: options[path: ["preconditions", "uid"]]?.stringValue,
                             preconditionResourceVersion: options[path: ["preconditions", "resourceVersion"]]?.stringValue)
        }
        return Self.ok(object)
    }

    private func watch(_ route: Route, labels: LabelSelectorQuery, fields: FieldSelector,
                       query: [String: String]) throws(FakeAPIError) -> FakeReply {
        let (live, sink) = AsyncStream<[UInt8]>.makeStream()
        let bookmarks = query["allowWatchBookmarks"] == "true"
        let watcher = Watcher(type: route.type, namespace: route.namespace, labels: labels, fields: fields,
                              bookmarks: bookmarks, sink: sink)
        let started = try locked { state throws(FakeAPIError) in
            try state.startWatch(watcher, from: query["resourceVersion"])
        }
        guard let id = started.id else {
            return .watch(FakeWatchStream(initial: started.lines, live: nil, timeout: nil, bookmarkInterval: nil,
                                          bookmark: {}, stop: {}))
        }
        let state = self.state
        let timeout = query["timeoutSeconds"].flatMap { Int($0) }.map { Duration.seconds($0) }
        return .watch(FakeWatchStream(
            initial: started.lines, live: live, timeout: timeout,
            bookmarkInterval: bookmarks ? options.bookmarkInterval : nil,
            bookmark: { state.withLockedValue { $0.sendBookmark(id) } },
            stop: { state.withLockedValue { $0.stopWatch(id) } }))
    }

    private func resolve(_ path: String) throws(FakeAPIError) -> Route {
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var rest: ArraySlice<String>
        let group: String
        let version: String
        if segments.first == "api", segments.count >= 2 {
            group = ""
            version = segments[1]
            rest = segments.dropFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            version = segments[2]
            rest = segments.dropFirst(3)
        } else {
            throw FakeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest.dropFirst().first
            rest = rest.dropFirst(2)
        }
        guard let plural = rest.first,
              let type = state.withLockedValue({ $0.type(group: group, version: version, plural: plural) }) else {
            throw FakeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        rest = rest.dropFirst()
        if !type.namespaced, namespace != nil {
            throw FakeAPIError(code: 404, reason: "NotFound", message: "\(type.plural) are not namespaced")
        }
        let name = rest.first
        rest = rest.dropFirst()
        var status = false
        if let subresource = rest.first {
            guard subresource == "status", type.hasStatusSubresource, rest.count == 1 else {
                throw FakeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
            status = true
        }
        return Route(type: type, namespace: namespace, name: name, status: status)
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                let raw = pair.count > 1 ? String(pair[1]).replacingOccurrences(of: "+", with: " ") : ""
                query[key] = raw.removingPercentEncoding ?? raw
            }
        }
        return (String(parts[0]), query)
    }

    static func ok(_ object: JSONValue, status: Int = 200) -> FakeReply {
        .full(status: status, headers: [("Content-Type", "application/json")],
              body: Array((try? KubeCodec.encode(object)) ?? Data()))
    }

    static func error(_ error: FakeAPIError, headers: [(String, String)] = []) -> FakeReply {
        let body = Array((try? KubeCodec.encode(error.status)) ?? Data())
        return .full(status: error.code, headers: [("Content-Type", "application/json")] + headers, body: body)
    }
}

extension FakeKubeServer {
    /// Runs `body` under the state lock, keeping its typed error.
    func locked<T>(_ body: (inout FakeState) throws(FakeAPIError) -> T) throws(FakeAPIError) -> T {
        let result: Result<T, FakeAPIError> = state.withLockedValue { state in
            do throws(FakeAPIError) {
                return .success(try body(&state))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
