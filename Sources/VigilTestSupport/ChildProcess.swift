// Minimal POSIX child-process plumbing for the test fixture: posix_spawn, non-blocking reaping,
// signals. We reap our own children with waitpid(pid, WNOHANG) so that a zombie is never
// mistaken for a live server and a pid is never signalled after it could have been reused.
import Foundation
import VigilPOSIX

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public enum ChildExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// Reaped by someone else (should not happen); the status is unknown.
    case unknown

    init(waitStatus raw: Int32) {
        let signal = raw & 0x7f
        self = signal == 0 ? .exited((raw >> 8) & 0xff) : .signaled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal) (\(signalName(signal)))"
        case .unknown: "exited (status unknown)"
        }
    }
}

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGKILL: "SIGKILL"
    case SIGTERM: "SIGTERM"
    case SIGSTOP: "SIGSTOP"
    case SIGCONT: "SIGCONT"
    case SIGINT: "SIGINT"
    case SIGQUIT: "SIGQUIT"
    case SIGABRT: "SIGABRT"
    case SIGSEGV: "SIGSEGV"
    case SIGBUS: "SIGBUS"
    case SIGHUP: "SIGHUP"
    case SIGPIPE: "SIGPIPE"
    default: "signal \(signal)"
    }
}

/// Sends `signal` to `pid` (named to avoid clashing with `MariaDBServer.kill(signal:)`).
@discardableResult
func sendSignal(_ pid: pid_t, _ signal: Int32) -> Bool {
    kill(pid, signal) == 0
}

/// Reaps `pid` if it has exited; `nil` while it is still running (or stopped).
func reapIfExited(_ pid: pid_t) -> ChildExitStatus? {
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return ChildExitStatus(waitStatus: status) }
        if result == 0 { return nil }
        if errno == EINTR { continue }
        return .unknown  // ECHILD: not our child any more
    }
}

/// Blocks until `pid` exits. Only used right after SIGKILL (which cannot be caught), from
/// `deinit` and `atexit`, where suspending is impossible.
func reapBlocking(_ pid: pid_t) -> ChildExitStatus {
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, 0)
        if result == pid { return ChildExitStatus(waitStatus: status) }
        if result < 0 && errno == EINTR { continue }
        return .unknown
    }
}

/// Sleeps even when the current task is cancelled: cleanup paths (stop, kill) must finish.
func uncancellableSleep(_ duration: Duration) async {
    await Task.detached { try? await Task.sleep(for: duration) }.value
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

struct SpawnRequest {
    var executable: String
    var arguments: [String]
    /// Extra or overriding environment variables on top of the current environment.
    var environment: [String: String] = [:]
    /// Becomes the child's stdin (dup2'ed to 0); `/dev/null` when nil.
    var standardInput: Int32? = nil
    /// stdout is appended to this file (`/dev/null` when nil).
    var standardOutputPath: String? = nil
    /// stderr is appended to this file; when nil it goes wherever stdout goes.
    var standardErrorPath: String? = nil
    /// Put the child in its own process group so that a terminal's Ctrl-C aimed at the test
    /// runner does not reach it (the watchdog cleans up instead).
    var newProcessGroup: Bool = true
}

/// posix_spawn with a clean signal state: empty mask and default dispositions for the signals
/// a test runner might block or ignore.
func spawnChild(_ request: SpawnRequest) throws -> pid_t {
    var fileActions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fileActions)
    defer { posix_spawn_file_actions_destroy(&fileActions) }

    if let input = request.standardInput {
        posix_spawn_file_actions_adddup2(&fileActions, input, 0)
    } else {
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
    }
    let outputFlags = O_WRONLY | O_CREAT | O_APPEND
    posix_spawn_file_actions_addopen(
        &fileActions, 1, request.standardOutputPath ?? "/dev/null", outputFlags, 0o644)
    if let errorPath = request.standardErrorPath {
        posix_spawn_file_actions_addopen(&fileActions, 2, errorPath, outputFlags, 0o644)
    } else {
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
    }
    // Nothing else of ours leaks into the child: an inherited listening socket would keep
    // our ports bound (and accepting) after we close them, for as long as the child lives.
    closeInheritedDescriptors(&fileActions)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
    if request.newProcessGroup {
        flags |= Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setpgroup(&attributes, 0)
    }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
        sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(flags))

    var environment = ProcessInfo.processInfo.environment
    for (key, value) in request.environment { environment[key] = value }
    let argvStorage = ([request.executable] + request.arguments).map { strdup($0) }
    let envStorage = environment.map { strdup("\($0.key)=\($0.value)") }
    defer {
        argvStorage.forEach { free($0) }
        envStorage.forEach { free($0) }
    }
    let argv = argvStorage + [nil]
    let envp = envStorage + [nil]

    var pid: pid_t = 0
    let result = posix_spawn(&pid, request.executable, &fileActions, &attributes, argv, envp)
    guard result == 0 else {
        throw MariaDBFixtureError.spawnFailed(
            executable: request.executable, reason: String(cString: strerror(result)))
    }
    return pid
}

/// Runs a short-lived tool to completion, polling without blocking a thread. stdout (and
/// stderr, unless `errorPath` is given) is captured in `outputPath`, which is returned as text.
func runTool(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    outputPath: String,
    errorPath: String? = nil,
    timeout: Duration
) async throws -> (status: ChildExitStatus, output: String) {
    let pid = try spawnChild(
        SpawnRequest(
            executable: executable, arguments: arguments, environment: environment,
            standardOutputPath: outputPath, standardErrorPath: errorPath))
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var interval = Duration.milliseconds(2)
    var status: ChildExitStatus?
    while status == nil {
        if let exited = reapIfExited(pid) {
            status = exited
            break
        }
        if clock.now >= deadline || Task.isCancelled {
            sendSignal(pid, SIGKILL)
            _ = reapBlocking(pid)
            let output = readText(outputPath)
            if Task.isCancelled { throw CancellationError() }
            throw MariaDBFixtureError.toolTimedOut(
                command: ([executable] + arguments).joined(separator: " "),
                seconds: timeout.seconds, output: output)
        }
        await uncancellableSleep(interval)
        interval = min(interval * 2, .milliseconds(50))
    }
    return (status ?? .unknown, readText(outputPath))
}

func readText(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return String(decoding: data, as: UTF8.self)
}

/// The last `maxLines` lines of a file starting at byte `offset` (bounded to 16 KiB).
func tailOfFile(_ path: String, from offset: UInt64 = 0, maxLines: Int = 40) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    let start = max(offset, size > 16_384 ? size - 16_384 : 0)
    guard (try? handle.seek(toOffset: start)) != nil,
        let data = try? handle.readToEnd()
    else { return "" }
    let lines = String(decoding: data, as: UTF8.self).split(
        separator: "\n", omittingEmptySubsequences: false)
    return lines.suffix(maxLines).joined(separator: "\n").trimmingCharacters(
        in: .whitespacesAndNewlines)
}

func fileSize(_ path: String) -> UInt64 {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
}

func isExecutableFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && !isDirectory.boolValue && access(path, X_OK) == 0
}

/// `name` looked up in `$PATH`.
func findInPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = "\(directory)/\(name)"
        if isExecutableFile(candidate) { return candidate }
    }
    return nil
}

/// A lock-protected value (Foundation's NSLock; works on every platform we build on).
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

