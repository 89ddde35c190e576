/// A period in which two servers both acknowledged writes without a role transition that
/// could explain the change.
public struct SplitBrainWindow: Codable, Sendable, Equatable {
    /// The two servers, sorted.
    public var servers: [String]
    /// Completion of the first earlier acknowledgement that proves the window.
    public var startMs: Int64
    /// Completion of the last later acknowledgement that proves it.
    public var endMs: Int64
    /// Every operation appearing in the evidence, sorted.
    public var operationIDs: [Int]
    public var evidence: [SplitBrainEvidence]
}

/// `earlier` was acknowledged by one server and completed before `later` was invoked; `later`
/// was acknowledged by another server and no transition to it can separate the two.
public struct SplitBrainEvidence: Codable, Sendable, Equatable {
    public var earlier: Int
    public var earlierServer: String
    public var later: Int
    public var laterServer: String
}

/// Split-brain detection.
///
/// Definition: acknowledged writes w1 (by server B) and w2 (by a different server A) prove a
/// split brain when w1 completed before w2 was invoked (so w1 really happened before w2) and
/// no recorded `RoleTransition` *to A* lies in `[w1.invoked - slack, w2.completed + slack]`.
/// The interval starts at w1's invocation, not its completion, because w1 may have committed
/// anywhere between the two: a switchover recorded while w1's acknowledgement was in flight
/// proves nothing. It ends at w2's completion because A cannot acknowledge before it is
/// promoted, but the runner may record the promotion a little after the router moved.
///
/// So a clean failover (old primary's acknowledgements, a transition to the new one, then
/// its acknowledgements) and a switchover there and back (each return has its transition)
/// are never flagged; a zombie primary acknowledging after the new one has, or a server
/// acknowledging again after another took over without a transition back, always is.
enum SplitBrainCheck {
    static func windows(_ history: History, slackMs: Int64) -> [SplitBrainWindow] {
        let acks = history.operations
            .filter { $0.isAcknowledgedWrite && $0.server != nil && $0.completedAtMs != nil }
            .sorted { ($0.invokedAtMs, $0.id) < ($1.invokedAtMs, $1.id) }
        let byServer = Dictionary(grouping: acks, by: { $0.server! }).mapValues(AckIndex.init)
        let transitionsTo = Dictionary(grouping: history.transitions, by: \.to).mapValues { $0.map(\.atMs).sorted() }

        var pairs: [PairKey: [(w1: Operation, w2: Operation)]] = [:]
        for w2 in acks {
            let serverA = w2.server!
            for (serverB, index) in byServer where serverB != serverA {
                // Of B's acknowledgements completed before w2 began, the one invoked last gives
                // the narrowest interval: if a transition fits there it fits for all of them.
                guard let w1 = index.latestInvoked(completedBefore: w2.invokedAtMs) else { continue }
                let low = w1.invokedAtMs - slackMs
                let high = w2.completedAtMs! + slackMs
                let times = transitionsTo[serverA] ?? []
                let first = times.partitioningIndex { $0 >= low }
                if first < times.count, times[first] <= high { continue }
                pairs[PairKey(serverA, serverB), default: []].append((w1, w2))
            }
        }

        var windows: [SplitBrainWindow] = []
        for (key, found) in pairs {
            let sorted = found.sorted { ($0.w1.completedAtMs!, $0.w2.id) < ($1.w1.completedAtMs!, $1.w2.id) }
            var current: SplitBrainWindow?
            for (w1, w2) in sorted {
                let start = w1.completedAtMs!, end = w2.completedAtMs!
                let evidence = SplitBrainEvidence(earlier: w1.id, earlierServer: w1.server!, later: w2.id, laterServer: w2.server!)
                if var open = current, start <= open.endMs {
                    open.endMs = max(open.endMs, end)
                    open.evidence.append(evidence)
                    current = open
                } else {
                    if let open = current { windows.append(open) }
                    current = SplitBrainWindow(servers: key.servers, startMs: start, endMs: end, operationIDs: [], evidence: [evidence])
                }
            }
            if let open = current { windows.append(open) }
        }
        for i in windows.indices {
            windows[i].operationIDs = Set(windows[i].evidence.flatMap { [$0.earlier, $0.later] }).sorted()
        }
        return windows.sorted { ($0.startMs, $0.servers.joined()) < ($1.startMs, $1.servers.joined()) }
    }

    private struct PairKey: Hashable {
        let servers: [String]
        init(_ a: String, _ b: String) { servers = [a, b].sorted() }
    }

    /// One server's acknowledgements sorted by completion, with the prefix maximum of
    /// invocation time, so "latest invoked among those completed before t" is a binary search.
    private struct AckIndex {
        let completed: [Int64]
        let latestInvokedPrefix: [Operation]

        init(_ acks: [Operation]) {
            let sorted = acks.sorted { ($0.completedAtMs!, $0.id) < ($1.completedAtMs!, $1.id) }
            completed = sorted.map { $0.completedAtMs! }
            var prefix: [Operation] = []
            prefix.reserveCapacity(sorted.count)
            for op in sorted {
                if let best = prefix.last, best.invokedAtMs >= op.invokedAtMs { prefix.append(best) } else { prefix.append(op) }
            }
            latestInvokedPrefix = prefix
        }

        func latestInvoked(completedBefore time: Int64) -> Operation? {
            let count = completed.partitioningIndex { $0 >= time }
            return count == 0 ? nil : latestInvokedPrefix[count - 1]
        }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, which must be false then true
    /// along the array (a binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
