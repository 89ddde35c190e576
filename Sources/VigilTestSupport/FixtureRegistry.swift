// Process-wide bookkeeping that guarantees no mariadbd outlives the test process:
//
// 1. every started server is registered here with its pid and directory;
// 2. an `atexit` hook SIGKILLs whatever is still registered and removes the temp root;
// 3. a tiny watchdog (`/bin/sh`, in its own process group) holds the other end of a socket
//    whose end we keep (close-on-exec). We tell it "+pid" / "-pid" as servers come and go. When
//    this process dies in any way (crash, SIGKILL, Ctrl-C), the socket reaches EOF and the
//    watchdog SIGKILLs the remaining pids and removes the temp root. `atexit` alone cannot
//    cover a crashing test, and a leaked mariadbd per crashed run adds up fast.
//
// All temp files of one test process live under one root:
// `<base>/vigil-test-<pid>-XXXXXX/` where base is VIGIL_TEST_TMPDIR, else /dev/shm when it has
// room (fsync is free there, so startups stay fast even on a busy disk), else $TMPDIR or /tmp.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// True when VIGIL_KEEP_TEST_DIRS=1: temp directories are left behind for inspection.
var keepTestDirectories: Bool {
    ProcessInfo.processInfo.environment["VIGIL_KEEP_TEST_DIRS"] == "1"
}

final class FixtureRegistry: Sendable {
    static let shared = FixtureRegistry()

    private struct Entry {
        var pid: pid_t?
        var directory: String
    }

    private struct State {
        var root: String?
        var entries: [UInt64: Entry] = [:]
        var nextSerial: UInt64 = 0
        var watchdogSocket: Int32 = -1
        var handedOutPorts: Set<Int> = []
    }

    private let state = LockedBox(State())

    /// The per-process temp root, created on first use together with the atexit hook and
    /// the watchdog.
    func root() throws -> String {
        try state.withLock { state in
            if let root = state.root { return root }
            let base = Self.baseTemporaryDirectory()
            Self.sweepStaleRoots(in: base)
            var template = Array("\(base)/vigil-test-\(getpid())-XXXXXX".utf8CString)
            guard let created = mkdtemp(&template) else {
                throw MariaDBFixtureError.temporaryDirectoryFailed(
                    path: base, reason: String(cString: strerror(errno)))
            }
            let root = String(cString: created)
            if keepTestDirectories {
                _ = FileManager.default.createFile(atPath: "\(root)/KEEP", contents: nil)
            }
            state.root = root
            atexit { FixtureRegistry.shared.killEverythingAtExit() }
            state.watchdogSocket = Self.startWatchdog(root: root)
            return root
        }
    }

    /// Registers a new server directory; returns its serial.
    func register(directory: String) -> UInt64 {
        state.withLock { state in
            state.nextSerial += 1
            state.entries[state.nextSerial] = Entry(pid: nil, directory: directory)
            return state.nextSerial
        }
    }

    /// Records the live pid of a server (nil once reaped) and tells the watchdog.
    func setPID(_ pid: pid_t?, for serial: UInt64) {
        state.withLock { state in
            let old = state.entries[serial]?.pid
            state.entries[serial]?.pid = pid
            if let old, old != pid { Self.tellWatchdog(state.watchdogSocket, "-\(old)") }
            if let pid, old != pid { Self.tellWatchdog(state.watchdogSocket, "+\(pid)") }
        }
    }

    func unregister(_ serial: UInt64) {
        state.withLock { state in
            if let pid = state.entries[serial]?.pid { Self.tellWatchdog(state.watchdogSocket, "-\(pid)") }
            state.entries[serial] = nil
        }
    }

    /// A free TCP port on 127.0.0.1, preferably below the kernel's ephemeral range: a port
    /// from that range could be taken by any outgoing connection (a replica's, a probe's)
    /// while its server is down, and `restart()` must get the same port back. Each candidate is
    /// checked by binding it; ports already handed out by this process are skipped.
    func pickFreePort() throws -> Int {
        let (ephemeralLow, _) = Self.ephemeralPortRange()
        let upper = min(ephemeralLow, 65_536)
        let lower = 15_000
        if upper - lower >= 1_000 {
            for _ in 0..<200 {
                let candidate = Int.random(in: lower..<upper)
                let fresh = state.withLock { !$0.handedOutPorts.contains(candidate) }
                guard fresh, (try? Self.bindPort(candidate)) == candidate else { continue }
                let claimed = state.withLock { $0.handedOutPorts.insert(candidate).inserted }
                if claimed { return candidate }
            }
        }
        // Fall back to letting the kernel choose (bind port 0, read it back, close).
        for _ in 0..<50 {
            let port = try Self.bindPort(0)
            if state.withLock({ $0.handedOutPorts.insert(port).inserted }) { return port }
        }
        return try Self.bindPort(0)
    }

    /// atexit: SIGKILL every registered server, reap it, remove the temp root.
    private func killEverythingAtExit() {
        let (entries, root, socket) = state.withLock { state in
            let snapshot = (Array(state.entries.values), state.root, state.watchdogSocket)
            state.entries = [:]
            return snapshot
        }
        for entry in entries {
            guard let pid = entry.pid else { continue }
            sendSignal(pid, SIGKILL)
            _ = reapBlocking(pid)
            Self.tellWatchdog(socket, "-\(pid)")
        }
        if let root, !keepTestDirectories {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    // MARK: - Helpers

    private static func baseTemporaryDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["VIGIL_TEST_TMPDIR"], !explicit.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: explicit, withIntermediateDirectories: true)
            return explicit
        }
        var info = statvfs()
        if access("/dev/shm", W_OK | X_OK) == 0, statvfs("/dev/shm", &info) == 0,
            UInt64(info.f_bavail) * UInt64(info.f_frsize) >= 2 << 30
        {
            return "/dev/shm"
        }
        var temporary = environment["TMPDIR"] ?? "/tmp"
        while temporary.count > 1 && temporary.hasSuffix("/") { temporary.removeLast() }
        return temporary.isEmpty ? "/tmp" : temporary
    }

    /// Removes `vigil-test-<pid>-*` roots whose owning process no longer exists (left behind
    /// when even the watchdog could not clean up), unless they were kept on purpose.
    private static func sweepStaleRoots(in base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("vigil-test-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let owner = pid_t(parts[2]), owner != getpid() else { continue }
            let path = "\(base)/\(name)"
            guard kill(owner, 0) != 0, errno == ESRCH,
                !FileManager.default.fileExists(atPath: "\(path)/KEEP")
            else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    private static let watchdogScript = """
        trap '' INT HUP
        pids=' '
        while IFS= read -r line; do
          case $line in
            +*) pids="$pids${line#+} " ;;
            -*) gone=${line#-}; kept=' '
                for p in $pids; do [ "$p" = "$gone" ] || kept="$kept$p "; done
                pids=$kept ;;
          esac
        done
        for p in $pids; do kill -9 "$p" 2>/dev/null; done
        alive() {
          [ -r "/proc/$1/status" ] || { kill -0 "$1" 2>/dev/null; return; }
          while read -r key value _; do
            [ "$key" = State: ] && { [ "$value" != Z ]; return; }
          done < "/proc/$1/status"
          return 1
        }
        if [ "$2" != 1 ]; then
          i=0
          for p in $pids; do
            while alive "$p" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
          done
          rm -rf -- "$1"
        fi
        """

    /// Starts the watchdog; returns our end of the socket (or -1 if it could not start, in
    /// which case only atexit/deinit protect us).
    private static func startWatchdog(root: String) -> Int32 {
        var fds: [Int32] = [-1, -1]
        #if canImport(Darwin)
        let type = SOCK_STREAM
        #else
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return -1 }
        #if canImport(Darwin)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        #endif
        defer { close(fds[1]) }
        do {
            _ = try spawnChild(
                SpawnRequest(
                    executable: "/bin/sh",
                    arguments: ["-c", watchdogScript, "vigil-test-watchdog", root, keepTestDirectories ? "1" : "0"],
                    standardInput: fds[1]))
            return fds[0]
        } catch {
            close(fds[0])
            return -1
        }
    }

    private static func tellWatchdog(_ socket: Int32, _ line: String) {
        guard socket >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        #if canImport(Darwin)
        let flags: Int32 = 0
        #else
        let flags = Int32(MSG_NOSIGNAL)
        #endif
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, flags) }
    }

    /// /proc/sys/net/ipv4/ip_local_port_range (Linux's default when unreadable).
    private static func ephemeralPortRange() -> (Int, Int) {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : (32_768, 60_999)
    }

    /// Binds 127.0.0.1:`port` (0: any), returns the bound port and closes the socket.
    private static func bindPort(_ port: Int) throws -> Int {
        #if canImport(Darwin)
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else {
            throw MariaDBFixtureError.spawnFailed(
                executable: "socket()", reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            throw MariaDBFixtureError.spawnFailed(
                executable: "bind(127.0.0.1:\(port))", reason: String(cString: strerror(errno)))
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            throw MariaDBFixtureError.spawnFailed(
                executable: "getsockname", reason: String(cString: strerror(errno)))
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr = in_addr(s_addr: in_addr_t(0x7f00_0001).bigEndian)
    return address
}
