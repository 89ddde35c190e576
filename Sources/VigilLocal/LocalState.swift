import Foundation
import VigilCore

/// The durable record of a local group: written atomically, read by every command.
public struct LocalState: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public enum Phase: String, Codable, Sendable {
        /// The supervisor is creating or resuming the group.
        case starting
        case running
        /// `up` failed; `failure` says why. Data directories may exist (resume with `up`).
        case failed
        case stopped
    }

    public var version: Int = LocalState.currentVersion
    public var spec: LocalSpec
    public var phase: Phase
    public var failure: String?
    /// True once data directories, accounts and replication have been created.
    public var initialised: Bool
    public var primary: String
    public var lastFailover: FailoverSummary?
    public var cooldownUntil: String?
    /// Instances kept read-only because they hold transactions the primary lacks → those GTIDs.
    public var quarantined: [String: String] = [:]
    /// The controller's decision-core status (term, word, operation in progress, records),
    /// persisted before every action so a restarted supervisor resumes safely.
    public var group: GroupStatus?

    public init(spec: LocalSpec, phase: Phase = .starting, initialised: Bool = false, primary: String) {
        self.spec = spec
        self.phase = phase
        self.initialised = initialised
        self.primary = primary
    }

    public static func load(_ layout: LocalLayout) throws(LocalError) -> LocalState {
        guard let data = FileManager.default.contents(atPath: layout.stateFile) else {
            throw .failed("no group in \(layout.root) (no state.json); create one with `vigil local up --dir \(layout.root)`")
        }
        do {
            let state = try JSONDecoder().decode(LocalState.self, from: data)
            guard state.version == currentVersion else {
                throw LocalError.failed("\(layout.stateFile) has version \(state.version); this vigil understands \(currentVersion)")
            }
            try state.spec.validate()
            return state
        } catch let e as LocalError {
            throw e
        } catch {
            throw .failed("\(layout.stateFile) is corrupt (\(error)); nothing was changed. Move it aside or restore it to continue")
        }
    }

    public func save(_ layout: LocalLayout) throws(LocalError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileWriting.atomicWrite(try encoder.encode(self), to: layout.stateFile, mode: 0o644)
        } catch {
            throw .failed("cannot write \(layout.stateFile): \(error)")
        }
    }
}

/// The last failover or switchover as `vigil local status --json` shows it.
public struct FailoverSummary: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var reason: String
    public var startedAt: String
    public var durationMs: Int
    /// failover | switchover
    public var kind: String?
    public var startedAtMs: Int64?
    /// Switchovers: how long the primary refused writes.
    public var writeBlockedMs: Int?
}

enum FileWriting {
    /// Write to a temporary file, fsync, rename: readers see the old or the new file, never half.
    static func atomicWrite(_ data: Data, to path: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        fchmod(fd, mode)
        try data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                off += n
            }
        }
        fsync(fd)
        guard rename(tmp, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
