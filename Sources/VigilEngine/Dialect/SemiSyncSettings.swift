/// Semi-sync parameters shared by both flavors.
public enum SemiSyncSettings {
    /// "Never fall back to async": 2^32-1 ms (≈ 49.7 days). Both servers accept more (their
    /// variables are `unsigned long`), but they turn the timeout into nanoseconds when they
    /// wait, and 2^32-1 ms stays far from overflowing that on every platform. A commit blocked
    /// this long is an operator's problem long before the timeout could matter.
    public static let losslessTimeoutMilliseconds: UInt64 = 4_294_967_295

    /// How many replica acknowledgements a commit waits for in a group of `groupSize`
    /// instances: enough that the primary plus the acknowledging replicas form a majority,
    /// so any majority of survivors includes an instance that has every acknowledged commit.
    /// 2 or 3 instances → 1, 4 or 5 → 2, … Never 0: a group of one must not run semi-sync.
    public static func waitCount(groupSize: Int) -> Int {
        max(1, groupSize / 2)
    }
}
