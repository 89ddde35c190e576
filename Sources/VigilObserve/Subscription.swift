import NIOConcurrencyHelpers

/// One client's bounded queue of snapshots. The publisher `offer`s (never waits); the client's
/// own task awaits `next()`, which returns nil once the subscription is dropped or cancelled.
public final class Subscription: Sendable {
    struct State {
        var queue: [String] = []
        var head = 0
        var waiter: CheckedContinuation<String?, Never>?
        var finished = false
        var dropped = false
    }

    public let id: UInt64
    private let capacity: Int
    private let onDrop: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())
    private let owner = NIOLockedValueBox<StatusBroadcaster?>(nil)

    init(id: UInt64, capacity: Int, onDrop: @escaping @Sendable () -> Void) {
        self.id = id
        self.capacity = max(1, capacity)
        self.onDrop = onDrop
    }

    var broadcaster: StatusBroadcaster? {
        get { owner.withLockedValue { $0 } }
        set { owner.withLockedValue { $0 = newValue } }
    }

    /// Whether the broadcaster dropped it for falling behind.
    public var wasDropped: Bool { state.withLockedValue { $0.dropped } }

    /// Queues `message`; false when the queue is full (the caller then drops this subscriber).
    func offer(_ message: String) -> Bool {
        let (accepted, waiter): (Bool, CheckedContinuation<String?, Never>?) = state.withLockedValue { state in
            if state.finished { return (true, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            guard state.queue.count - state.head < capacity else { return (false, nil) }
            state.queue.append(message)
            return (true, nil)
        }
        waiter?.resume(returning: message)
        return accepted
    }

    /// Called by the broadcaster after removing it: wakes the reader with nil and tells the
    /// connection to close.
    func drop() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<String?, Never>? in
            state.dropped = true
            return finish(&state)
        }
        waiter?.resume(returning: nil)
        onDrop()
    }

    /// The next snapshot, waiting for one; nil once dropped or cancelled.
    public func next() async -> String? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let immediate: String?? = state.withLockedValue { state in
                    if state.head < state.queue.count {
                        let message = state.queue[state.head]
                        state.head += 1
                        if state.head == state.queue.count {
                            state.queue.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .some(message)
                    }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The client went away: stop receiving and leave the broadcaster.
    public func cancel() {
        let waiter = state.withLockedValue { finish(&$0) }
        waiter?.resume(returning: nil)
        broadcaster?.remove(id)
        broadcaster = nil
    }

    private func finish(_ state: inout State) -> CheckedContinuation<String?, Never>? {
        state.finished = true
        state.queue = []
        state.head = 0
        let waiter = state.waiter
        state.waiter = nil
        return waiter
    }
}
