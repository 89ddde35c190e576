import NIOCore

/// Runs Swift tasks on a NIO event loop. A task that prefers the connection's executor
/// (`withTaskExecutorPreference(connection.taskExecutor) { … }`) issues commands and resumes
/// from replies on the loop's own thread: no cross-thread wake-up per query, which is most
/// of a loopback round trip's overhead.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

extension MySQLConnection {
    /// The executor on this connection's IO thread (its `DirectLoop` or NIO event loop), for
    /// latency-sensitive callers.
    public var taskExecutor: any TaskExecutor {
        switch transport {
        case .nio(let channel, _): return EventLoopTaskExecutor(eventLoop: channel.eventLoop)
        case .direct(let connection): return connection.loop
        }
    }
}
