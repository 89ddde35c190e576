import Foundation
import NIOConcurrencyHelpers

/// Supplies the bearer token for each request. A token file is re-read when its modification
/// time changes, and at least once a minute regardless (projected service-account tokens are
/// rotated by the kubelet, sometimes by an atomic symlink swap that keeps the mtime).
final class TokenSource: Sendable {
    private struct Cached {
        var token: String?
        var modified: Date?
        var readAt: ContinuousClock.Instant?
    }

    private let credentials: KubeCredentials
    private let maxAge: Duration
    private let cache = NIOLockedValueBox(Cached())

    init(credentials: KubeCredentials, maxAge: Duration = .seconds(60)) {
        self.credentials = credentials
        self.maxAge = maxAge
    }

    /// The current token, or `nil` for no bearer auth.
    func token() throws(KubeError) -> String? {
        switch credentials {
        case .none: return nil
        case .token(let token): return token.value
        case .tokenFile(let path): return try fileToken(path)
        }
    }

    private func fileToken(_ path: String) throws(KubeError) -> String {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        let now = ContinuousClock.now
        let cached = cache.withLockedValue { $0 }
        if let token = cached.token, let readAt = cached.readAt, cached.modified == modified,
           now - readAt < maxAge {
            return token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            // Keep using the last good token during a rotation glitch rather than failing calls.
            if let token = cached.token { return token }
            throw KubeError(kind: .request, message: "cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        cache.withLockedValue { $0 = Cached(token: token, modified: modified, readAt: now) }
        return token
    }
}
