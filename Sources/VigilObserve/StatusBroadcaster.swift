import NIOConcurrencyHelpers

/// Fans the controller's status snapshots out to WebSocket clients without ever making the
/// publisher wait: `publish` is synchronous and only appends to per-subscriber buffers under a
/// lock. A subscriber whose buffer is full (a slow or stalled client) is dropped on the spot,
/// and told so through its `onDrop` (which closes its connection); the control loop never
/// awaits a client.
public final class StatusBroadcaster: Sendable {
    public struct Configuration: Sendable {
        /// Connected clients at most; more are refused (closed at once with 1013, try again later).
        public var maxClients: Int
        /// Messages queued per client before it counts as too slow and is dropped.
        public var bufferPerClient: Int

        public init(maxClients: Int = 200, bufferPerClient: Int = 32) {
            self.maxClients = maxClients
            self.bufferPerClient = bufferPerClient
        }
    }

    /// Counters for metrics and tests.
    public struct Stats: Sendable, Equatable {
        public var clients = 0
        public var published = 0
        public var dropped = 0
        public var refused = 0
    }

    struct State {
        var latest: String?
        var subscribers: [UInt64: Subscription] = [:]
        var nextID: UInt64 = 0
        var stats = Stats()
    }

    public let configuration: Configuration
    private let state = NIOLockedValueBox(State())

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public var stats: Stats { state.withLockedValue { $0.stats } }
    public var latest: String? { state.withLockedValue { $0.latest } }
    public var hasRoom: Bool { state.withLockedValue { $0.subscribers.count < configuration.maxClients } }

    /// Replaces the latest snapshot and queues it for every subscriber; identical bytes are not
    /// sent again. Never blocks on a client: a full buffer drops that client.
    public func publish(_ message: String) {
        let dropped: [Subscription] = state.withLockedValue { state in
            guard state.latest != message else { return [] }
            state.latest = message
            state.stats.published += 1
            var dropped: [Subscription] = []
            for (id, subscriber) in state.subscribers where !subscriber.offer(message) {
                state.subscribers[id] = nil
                dropped.append(subscriber)
            }
            state.stats.dropped += dropped.count
            state.stats.clients = state.subscribers.count
            return dropped
        }
        // Outside the lock: closing a connection must not run under it.
        for subscriber in dropped { subscriber.drop() }
    }

    /// A new subscriber whose first message is the latest snapshot; nil at the client cap.
    /// `onDrop` runs (once) if the broadcaster drops it for being too slow.
    public func subscribe(onDrop: @escaping @Sendable () -> Void = {}) -> Subscription? {
        state.withLockedValue { state in
            guard state.subscribers.count < configuration.maxClients else {
                state.stats.refused += 1
                return nil
            }
            state.nextID += 1
            let subscription = Subscription(id: state.nextID, capacity: configuration.bufferPerClient, onDrop: onDrop)
            if let latest = state.latest { _ = subscription.offer(latest) }
            subscription.broadcaster = self
            state.subscribers[state.nextID] = subscription
            state.stats.clients = state.subscribers.count
            return subscription
        }
    }

    func remove(_ id: UInt64) {
        state.withLockedValue { state in
            state.subscribers[id] = nil
            state.stats.clients = state.subscribers.count
        }
    }
}
