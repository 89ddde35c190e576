// Public process plumbing for other test-support libraries (the test kubelet): children
// spawned here are registered with the fixture's watchdog and atexit hook exactly like the
// fixture's own servers, so they die with the test process however it ends (crash, SIGKILL).
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process we spawned and have not reaped yet. It leads its own process group
/// (pgid == pid), so signalling the group also reaches anything it forked (mariadb-install-db
/// is a shell script that runs mariadbd).
///
/// Not thread-safe by itself: callers serialise `reapIfExited` and `signal` (e.g. under one
/// lock), so a pid is never signalled after it was reaped and could have been reused.
public final class TrackedProcess: @unchecked Sendable {
    public let pid: pid_t
    private let serial: UInt64
    private var exit: ChildExitStatus?

    /// Spawns `executable` with `arguments`; `environment` is added to the current one.
    /// stdout and stderr are appended to `logPath` (or discarded).
    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                logPath: String? = nil) throws {
        // The watchdog starts with the temp root; make sure it runs before we have children.
        _ = try FixtureRegistry.shared.root()
        serial = FixtureRegistry.shared.register(directory: "")
        do {
            pid = try spawnChild(SpawnRequest(executable: executable, arguments: arguments,
                                              environment: environment, standardOutputPath: logPath))
        } catch {
            FixtureRegistry.shared.unregister(serial)
            throw error
        }
        FixtureRegistry.shared.setPID(pid, for: serial)
    }

    /// The exit status once reaped; nil while running.
    public var exitStatus: ChildExitStatus? { exit }

    /// Reaps the process if it has exited (and forgets it in the watchdog); nil while running.
    @discardableResult
    public func reapIfExited() -> ChildExitStatus? {
        if let exit { return exit }
        guard let status = VigilTestSupport.reapIfExited(pid) else { return nil }
        exit = status
        FixtureRegistry.shared.unregister(serial)
        return status
    }

    /// Signals the whole process group. Before the leader is reaped its pid cannot be reused;
    /// after, the group id stays reserved while any member lives, so this is safe either way
    /// (it just finds nobody). Returns whether some process got it.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        kill(-pid, signal) == 0
    }

    /// Signals only the leader, if it has not been reaped.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        guard reapIfExited() == nil else { return false }
        return kill(pid, signal) == 0
    }

    /// SIGKILLs the group and reaps the leader, blocking (SIGKILL cannot be ignored, so the
    /// wait is short). For cleanup paths.
    public func killAndReap() {
        _ = signalGroup(SIGKILL)
        if exit == nil {
            exit = reapBlocking(pid)
            FixtureRegistry.shared.unregister(serial)
        }
    }
}

/// Facts about this host the fixture already works out, for other test-support libraries.
public enum TestHost {
    /// The per-test-process temp root (removed at exit, and by the watchdog after a crash).
    public static func temporaryRoot() throws -> String {
        try FixtureRegistry.shared.root()
    }

    public static var isRoot: Bool { runningAsRoot }

    /// `mariadbd`, `mariadb-install-db` and their installation prefix, found as the fixture
    /// finds them (`VIGIL_MARIADBD`, `VIGIL_MARIADB_INSTALL_DB`, `$PATH`, /usr/sbin).
    public static func mariaDBBinaries() throws -> (mariadbd: String, installDB: String, baseDirectory: String) {
        let found = try MariaDBBinaries.locate(mariadbdOverride: nil)
        return (found.mariadbd, found.installDB, found.baseDirectory)
    }

    /// Server options the fixture uses everywhere because this kind of host needs them
    /// (no native AIO in containers) or to keep servers small.
    public static var mariaDBHostArguments: [String] { commonServerArguments }
}
