struct ConditionTimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` until it holds, failing after `within`: synchronisation by observed
/// state with a deadline, never by a fixed sleep. The deadline only bounds a failing run (a
/// passing one returns as soon as the condition holds), so it is generous: the suite runs
/// alongside others that load every core.
func eventually(
    _ what: String,
    within limit: Duration = .seconds(15),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while try await !condition() {
        guard clock.now < deadline else { throw ConditionTimedOut(description: "timed out after \(limit): \(what)") }
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// Deterministic pseudo-random bytes (xorshift64), so a transfer can be checked end to end.
func patternBytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var index = 0
        while index < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            var word = state
            for _ in 0..<min(8, count - index) {
                buffer[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        initialized = count
    }
}

/// FNV-1a over 64-bit words: a transfer's fingerprint, quick even in debug builds.
func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    let prime: UInt64 = 0x100_0000_01b3
    return bytes.withUnsafeBytes { raw in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var offset = 0
        while offset + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* prime
            offset += 8
        }
        while offset < raw.count {
            hash = (hash ^ UInt64(raw[offset])) &* prime
            offset += 1
        }
        return hash ^ UInt64(raw.count)
    }
}

func checksum(_ bytes: [UInt8]) -> UInt64 { checksum(bytes[...]) }
