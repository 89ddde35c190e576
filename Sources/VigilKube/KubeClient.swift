import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// A Kubernetes API client. Thread-safe: share one per process and call it from any task.
/// Every call throws `KubeError`. Call `shutdown()` before dropping the last reference.
public final class KubeClient: Sendable {
    public let config: KubeConfig
    /// The namespace used when a call passes none.
    public var defaultNamespace: String { config.namespace }
    /// The field manager for server-side apply unless a call names another.
    public let fieldManager: String
    public let retry: RetryPolicy
    /// Covers connecting and receiving the response head of each attempt (not watch streams).
    public let requestTimeout: Duration

    let logger: Logger
    let http: HTTPClient
    let tokens: TokenSource
    let baseURL: String
    /// Responses larger than this are refused (a list of many big objects fits easily).
    let maxResponseBytes = 512 * 1024 * 1024

    public init(config: KubeConfig, fieldManager: String = "vigil", retry: RetryPolicy = .default,
                requestTimeout: Duration = .seconds(30),
                logger: Logger = Logger(label: "vigil.kube")) throws(KubeError) {
        self.config = config
        self.fieldManager = fieldManager
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.logger = logger
        var base = config.server
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw KubeError(kind: .request, message: "server URL \(config.server) must start with https:// or http://")
        }
        baseURL = base
        tokens = TokenSource(credentials: config.credentials)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try Self.tlsConfiguration(config),
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            // Watches hold a connection each; don't make them queue behind each other.
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64))
        configuration.httpVersion = .automatic
        // Fail a refused or untrusted connection at once and let `retry` decide: AHC's own
        // reconnect loop would hold every call until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes connections (ending any watch streams).
    public func shutdown() async throws {
        try await http.shutdown()
    }

    static func tlsConfiguration(_ config: KubeConfig) throws(KubeError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = config.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = config.clientCertificatePEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
            }
            if let key = config.clientKeyPEM {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key.value, format: .pem))
            }
        } catch {
            // NIOSSL errors describe the parse failure, not the key material.
            throw KubeError(kind: .request, message: "TLS material in the configuration is unusable: \(error)")
        }
        if config.insecureSkipTLSVerify { tls.certificateVerification = .none }
        return tls
    }
}

// MARK: - Requests

extension KubeClient {
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Whether retrying after an unknown outcome is safe. Creation is not: a retried POST
    /// could create two objects (generateName) or report AlreadyExists for our own success.
    enum Idempotency {
        case idempotent, notIdempotent
    }

    func makeRequest(method: HTTPMethod, path: String, query: [(String, String)], body: Data?,
                     contentType: String?) throws(KubeError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path + KubePath.query(query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil")
        if let token = try tokens.token() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        return request
    }

    /// Sends a request, retrying 429 always, and 5xx and connection failures when the call
    /// is idempotent; returns a 2xx reply or throws the API's error.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
              contentType: String? = nil, idempotency: Idempotency = .idempotent) async throws(KubeError) -> Reply {
        let label = "\(method.rawValue) \(path)"
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await attemptOnce(method, path, query: query, body: body, contentType: contentType,
                                            label: label)
            let failure: KubeError
            switch outcome {
            case .success(let reply):
                logger.trace("\(label) → \(reply.status)")
                return reply
            case .failure(let error):
                failure = error
            }
            guard attempt < retry.maxAttempts, Self.shouldRetry(failure, idempotency) else { throw failure }
            let delay = retry.delay(afterAttempt: attempt, retryAfterSeconds: failure.retryAfterSeconds)
            logger.debug("retrying after \(delay): \(failure)")
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw KubeError(kind: .cancelled, message: "cancelled while waiting to retry", request: label)
            }
        }
    }

    static func shouldRetry(_ error: KubeError, _ idempotency: Idempotency) -> Bool {
        switch error.kind {
        case .tooManyRequests: return true
        case .serverError, .timeout, .transport: return idempotency == .idempotent
        default: return false
        }
    }

    private func attemptOnce(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?,
                             contentType: String?, label: String) async -> Result<Reply, KubeError> {
        do {
            let request = try makeRequest(method: method, path: path, query: query, body: body,
                                          contentType: contentType)
            let response = try await execute(request, label: label)
            let bytes: ByteBuffer
            do {
                bytes = try await response.body.collect(upTo: maxResponseBytes)
            } catch {
                return .failure(transportError(error, label: label))
            }
            let status = Int(response.status.code)
            if (200..<300).contains(status) {
                return .success(Reply(status: status, headers: response.headers, body: bytes))
            }
            return .failure(Self.apiError(status: status, headers: response.headers, body: bytes, label: label))
        } catch {
            return .failure(error)
        }
    }

    /// Executes one request up to its response head.
    func execute(_ request: HTTPClientRequest, label: String) async throws(KubeError) -> HTTPClientResponse {
        do {
            return try await http.execute(request, deadline: .now() + .nanoseconds(requestTimeout.nanoseconds))
        } catch {
            throw transportError(error, label: label)
        }
    }

    func transportError(_ error: any Error, label: String) -> KubeError {
        if Task.isCancelled || (error as? HTTPClientError) == .cancelled {
            return KubeError(kind: .cancelled, message: "cancelled", request: label)
        }
        if (error as? HTTPClientError) == .deadlineExceeded {
            return KubeError(kind: .timeout, message: "no response within \(requestTimeout)", request: label)
        }
        return KubeError(kind: .transport, message: "\(error)", request: label)
    }

    static func apiError(status: Int, headers: HTTPHeaders, body: ByteBuffer, label: String) -> KubeError {
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if let decoded = try? KubeCodec.decode(Status.self, from: Data(buffer: body)), decoded.kind == "Status" {
            return KubeError(status: decoded, httpStatus: status, request: label, retryAfterSeconds: retryAfter)
        }
        let text = String(buffer: body).prefix(200)
        return KubeError(kind: KubeError.kind(httpStatus: status, reason: nil), httpStatus: status,
                         message: text.isEmpty ? "HTTP \(status)" : String(text), request: label,
                         retryAfterSeconds: retryAfter)
    }

    func decode<T: Decodable>(_ type: T.Type, _ reply: Reply, label: String) throws(KubeError) -> T {
        do {
            return try KubeCodec.decode(type, from: Data(buffer: reply.body))
        } catch {
            throw KubeError(kind: .decoding, httpStatus: reply.status,
                            message: "expected \(T.self): \(error)", request: label)
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
