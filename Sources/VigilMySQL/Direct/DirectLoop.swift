import CVigilLinux
import Glibc
import NIOCore
import Synchronization

/// Something a `DirectLoop` polls: a non-blocking socket and what to do when it is ready.
protocol DirectSource: AnyObject {
    func readable()
    func writable()
}

/// One thread that does the socket IO of direct MySQL connections and runs the Swift tasks
/// that prefer it as their executor (`withTaskExecutorPreference(connection.taskExecutor)`).
///
/// Why it exists: a loopback round trip is dominated by what happens between the reply's
/// wake-up and the next query's `send`. Here that is `poll` → `recv` → the state machine →
/// the awaiting task (resumed on this same thread, no hand-off) → `send`: no channel pipeline,
/// no pending-writes machinery, no per-event allocations. TLS needs NIOSSL and so the NIO
/// transport; a direct connection is plaintext TCP or a unix socket.
///
/// The loops live as long as the process (like NIO's singleton group); a loop with no
/// connections sleeps in `poll` and costs nothing.
///
/// `poll`, not epoll: a loop serves a handful of connections, and the server's write wakes a
/// `poll` sleeper with less work than an epoll one (mariadbd spent 0.65 µs less CPU per
/// `SELECT 1`, bench/RESULTS.md).
public final class DirectLoop: TaskExecutor, @unchecked Sendable {
    private enum Work: Sendable {
        case job(UnownedJob)
        case call(@Sendable () -> Void)
    }

    private struct Timer {
        var id: UInt64
        var deadline: NIODeadline
        var body: () -> Void
    }

    /// Work submitted by other threads.
    private let inbox = Mutex<[Work]>([])
    /// Set (under the lock) when `inbox` gains work, cleared when the loop takes it.
    private let hasWork = Atomic<Bool>(false)
    /// The loop is (about to be) blocked in poll and must be woken by the eventfd. With
    /// `hasWork`, a Dekker handshake (both sequentially consistent): the loop sets this and
    /// then looks for work, a submitter adds work and then takes this flag, so either the loop
    /// sees the work or the submitter sees it sleeping.
    private let sleeping = Atomic<Bool>(false)
    /// Submitters write to this eventfd to end the loop's `poll`.
    private let wakeFD: Int32
    /// The loop thread's pthread id (0 before it starts).
    private let owner = Atomic<UInt>(0)
    public let name: String

    // Confined to the loop thread, and never accessed in overlapping ways (no inout access to one
    // of them is open while loop code runs). `@exclusivity(unchecked)` drops the runtime's
    // dynamic access tracking on these per-round-trip properties: with it, each access was a
    // call into a thread-local access set (a `SELECT 1` round trip took ~0.9 µs longer,
    // bench/RESULTS.md). The same holds for DirectConnection's and CommandPump's state.
    @exclusivity(unchecked) private var running: [Work] = []
    /// The entry of `running` being run.
    @exclusivity(unchecked) private var runIndex = 0
    /// Work submitted by the loop thread itself (a reply resuming a task pinned here): no lock.
    @exclusivity(unchecked) private var local: [Work] = []
    /// `pollFDs[0]` is the eventfd; `sources[i]` serves `pollFDs[i]`.
    @exclusivity(unchecked) private var pollFDs: [pollfd]
    @exclusivity(unchecked) private var sources: [DirectSource?]
    @exclusivity(unchecked) private var timers: [Timer] = []
    @exclusivity(unchecked) private var nextTimerID: UInt64 = 1

    /// The process's loops: as many as cores, up to four; connections take them in turn.
    static let loops: [DirectLoop] = (0..<max(1, min(System.coreCount, 4))).map { DirectLoop(name: "vigil-mysql-\($0)") }
    private static let turn = Atomic<Int>(0)

    /// How many loops the process has.
    public static var count: Int { loops.count }

    static func next() -> DirectLoop {
        loops[turn.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    private init(name: String) {
        self.name = name
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
        pollFDs = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        sources = [nil]
        running.reserveCapacity(16)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<DirectLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    /// True on the loop's own thread.
    public var inLoop: Bool { owner.load(ordering: .relaxed) == UInt(pthread_self()) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inLoop { local.append(.job(job)) } else { submit(.job(job)) }
    }

    /// Runs `body` on the loop thread, after what is already queued.
    func execute(_ body: @escaping @Sendable () -> Void) {
        submit(.call(body))
    }

    private func submit(_ work: Work) {
        inbox.withLock { inbox in
            inbox.append(work)
            hasWork.store(true, ordering: .sequentiallyConsistent)
        }
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// Announces that the loop thread is about to block in `poll`; false (and not announced)
    /// when submitted work is waiting.
    private func goingToSleep() -> Bool {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if hasWork.load(ordering: .sequentiallyConsistent) {
            sleeping.store(false, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    // MARK: sources and timers (loop thread only)

    /// What a source waits for.
    struct Interest: OptionSet {
        let rawValue: Int16
        static let read = Interest(rawValue: Int16(POLLIN))
        static let write = Interest(rawValue: Int16(POLLOUT))
    }

    /// Level-triggered: a source is told again as long as it leaves bytes unread. Errors and
    /// hang-ups are reported as readable.
    func register(_ fd: Int32, _ interest: Interest, _ source: DirectSource) {
        pollFDs.append(pollfd(fd: fd, events: interest.rawValue, revents: 0))
        sources.append(source)
    }

    func setInterest(_ fd: Int32, _ interest: Interest) {
        if let i = pollFDs.firstIndex(where: { $0.fd == fd }) { pollFDs[i].events = interest.rawValue }
    }

    /// Before the descriptor is closed.
    func unregister(_ fd: Int32) {
        guard let i = pollFDs.firstIndex(where: { $0.fd == fd }), i > 0 else { return }
        pollFDs.remove(at: i)
        sources.remove(at: i)
    }

    func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> UInt64 {
        let id = nextTimerID
        nextTimerID += 1
        timers.append(Timer(id: id, deadline: .now() + delay, body: body))
        return id
    }

    func cancel(_ timer: UInt64) {
        timers.removeAll { $0.id == timer }
    }

    // MARK: the loop

    private func run() {
        owner.store(UInt(pthread_self()), ordering: .relaxed)
        nameThread()
        while true {
            runQueued()
            // Sleep only when nothing is queued (see `sleeping`).
            let busy = !local.isEmpty || !goingToSleep()
            let timeout = busy ? 0 : pollTimeout()
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeout)
            if !busy { sleeping.store(false, ordering: .sequentiallyConsistent) }
            if ready > 0 { dispatch() }
            if !timers.isEmpty { fireTimers() }
        }
    }

    /// Shows the loop by name in `top -H`, gdb and perf (a created thread inherits its creator's).
    private func nameThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = name.withCString { Glibc.write(fd, $0, strlen($0)) }
        Glibc.close(fd)
    }

    private func runQueued() {
        if local.isEmpty {
            takeSubmitted { swap(&$0, &running) }
        } else {
            // Keep the order work was submitted in as far as one thread can see it: the loop's
            // own first (it was submitted while handling events), then other threads'.
            swap(&local, &running)
            takeSubmitted { running.append(contentsOf: $0); $0.removeAll(keepingCapacity: true) }
        }
        let executor = asUnownedTaskExecutor()
        runIndex = 0
        while runIndex < running.count {
            switch running[runIndex] {
            case .job(let job): job.runSynchronously(on: executor)
            case .call(let body): body()
            }
            runIndex += 1
        }
        running.removeAll(keepingCapacity: true)
    }

    /// Moves submitted work out of the inbox (cheaply, when there is none).
    private func takeSubmitted(_ body: (inout [Work]) -> Void) {
        guard hasWork.load(ordering: .sequentiallyConsistent) else { return }
        inbox.withLock { inbox in
            hasWork.store(false, ordering: .sequentiallyConsistent)
            body(&inbox)
        }
    }

    private func dispatch() {
        if pollFDs[0].revents != 0 {
            var value: UInt64 = 0
            _ = Glibc.read(wakeFD, &value, 8)
            pollFDs[0].revents = 0
        }
        // A source may unregister itself while handling its event, which shifts the later
        // entries down by one: then the same index is looked at again.
        var i = 1
        while i < pollFDs.count {
            let entry = pollFDs[i]
            pollFDs[i].revents = 0
            if entry.revents != 0, let source = sources[i] {
                if entry.revents & Int16(POLLOUT) != 0 { source.writable() }
                if entry.revents & ~Int16(POLLOUT) != 0, i < pollFDs.count, pollFDs[i].fd == entry.fd {
                    source.readable()
                }
            }
            if i < pollFDs.count, pollFDs[i].fd == entry.fd { i += 1 }
        }
    }

    // MARK: waiting inside a task (see DirectConnection.runInline)

    /// Whether the job running now on the loop thread is the only work queued: only then may it
    /// block in `pollInline` without holding anything else up.
    var isAloneOnLoop: Bool { runIndex + 1 >= running.count && local.isEmpty }

    enum InlinePoll {
        /// `fd` was ready, alone, and its source has handled it.
        case handled
        /// Nothing happened within the bound the caller gave.
        case quiet
        /// Something else needs the loop: another socket, submitted work or a due timer.
        case loopNeeded
    }

    /// The loop's own `poll`, done by the running task while it waits for `fd` (for at most
    /// `limit` ms). When anything but `fd` needs the loop the caller must suspend; the loop's
    /// next `poll` then finds the same readiness (level-triggered).
    func pollInline(for source: DirectSource, fd: Int32, atMost limit: Int32) -> InlinePoll {
        let timerDue = pollTimeout()
        guard timerDue != 0, let index = pollFDs.firstIndex(where: { $0.fd == fd }) else { return .loopNeeded }
        guard goingToSleep() else { return .loopNeeded }
        let timeout = timerDue < 0 ? limit : min(timerDue, limit)
        let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeout)
        sleeping.store(false, ordering: .sequentiallyConsistent)
        if ready == 0 { return timeout == limit ? .quiet : .loopNeeded }
        let revents = pollFDs[index].revents
        guard ready == 1, revents != 0 else { return .loopNeeded }
        pollFDs[index].revents = 0
        if revents & Int16(POLLOUT) != 0 { source.writable() }
        if revents & ~Int16(POLLOUT) != 0 { source.readable() }
        return .handled
    }

    private func pollTimeout() -> Int32 {
        if timers.isEmpty { return -1 }  // the usual case: no command timeouts pending
        guard let first = timers.min(by: { $0.deadline < $1.deadline }) else { return -1 }
        let nanos = (first.deadline - .now()).nanoseconds
        if nanos <= 0 { return 0 }
        return Int32(clamping: (nanos + 999_999) / 1_000_000)
    }

    private func fireTimers() {
        let now = NIODeadline.now()
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        for timer in due { timer.body() }
    }
}
