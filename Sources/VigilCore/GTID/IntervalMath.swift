/// Set algebra on lists of GNO intervals. Every list handled here is *normalized*: sorted,
/// non-overlapping and non-adjacent (`1-3,4-5` is stored as `1-5`), which makes equality of
/// sets equality of arrays and keeps printing canonical.
enum IntervalMath {
    typealias Intervals = [ClosedRange<UInt64>]

    static func normalize(_ intervals: Intervals) -> Intervals {
        let sorted = intervals.sorted { $0.lowerBound < $1.lowerBound }
        var result: Intervals = []
        result.reserveCapacity(sorted.count)
        for interval in sorted {
            if let last = result.last, last.upperBound == .max || interval.lowerBound <= last.upperBound + 1 {
                if interval.upperBound > last.upperBound {
                    result[result.count - 1] = last.lowerBound...interval.upperBound
                }
            } else {
                result.append(interval)
            }
        }
        return result
    }

    static func union(_ a: Intervals, _ b: Intervals) -> Intervals {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return normalize(a + b)
    }

    static func subtracting(_ a: Intervals, _ b: Intervals) -> Intervals {
        var result: Intervals = []
        var j = 0
        for interval in a {
            var low = interval.lowerBound
            let high = interval.upperBound
            // Skip b-intervals entirely below this one; they cannot affect later ones either.
            while j < b.count && b[j].upperBound < low { j += 1 }
            var k = j
            var exhausted = false
            while k < b.count && b[k].lowerBound <= high {
                if b[k].lowerBound > low { result.append(low...(b[k].lowerBound - 1)) }
                if b[k].upperBound >= high { exhausted = true; break }
                low = b[k].upperBound + 1
                k += 1
            }
            if !exhausted { result.append(low...high) }
        }
        return result
    }

    static func intersection(_ a: Intervals, _ b: Intervals) -> Intervals {
        var result: Intervals = []
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            let low = max(a[i].lowerBound, b[j].lowerBound)
            let high = min(a[i].upperBound, b[j].upperBound)
            if low <= high { result.append(low...high) }
            if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
        }
        return result
    }

    /// Whether every GNO in `b` is in `a`.
    static func contains(_ a: Intervals, _ b: Intervals) -> Bool {
        var i = 0
        for interval in b {
            while i < a.count && a[i].upperBound < interval.lowerBound { i += 1 }
            guard i < a.count, a[i].lowerBound <= interval.lowerBound, a[i].upperBound >= interval.upperBound else {
                return false
            }
        }
        return true
    }

    static func contains(_ a: Intervals, gno: UInt64) -> Bool {
        var low = 0
        var high = a.count
        while low < high {
            let mid = (low + high) / 2
            if a[mid].upperBound < gno { low = mid + 1 } else { high = mid }
        }
        return low < a.count && a[low].contains(gno)
    }

    /// Number of GNOs, saturating (a set can in principle exceed 2^64 transactions).
    static func count(_ a: Intervals) -> UInt64 {
        var total: UInt64 = 0
        for interval in a {
            let (size, o1) = (interval.upperBound - interval.lowerBound).addingReportingOverflow(1)
            let (sum, o2) = total.addingReportingOverflow(size)
            if o1 || o2 { return .max }
            total = sum
        }
        return total
    }
}
