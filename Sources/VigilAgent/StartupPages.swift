#if canImport(Glibc)
import Glibc
#endif

/// Gives back, step by step as the agent starts (`AgentMain`), the memory only starting needed.
///
/// Why: the one `vigil` binary and its Swift libraries are mapped whole; starting (the dynamic
/// loader's relocations, argument parsing, configuration decoding, Foundation's and ICU's
/// initialisation, binding the listeners, the first probe) touches about 15 MB of their file
/// pages, and the kernel maps each touched page with its neighbours (fault-around). Those pages
/// stay counted in the agent's resident set although it never runs them again. Dropping the
/// mappings of read-only file pages (`MADV_DONTNEED`) lets each later step map back only what
/// it uses. The pages stay in the page cache, shared with every other process mapping them;
/// nothing private is dropped. Measured in bench/agent-memory.sh (bench/RESULTS.md).
enum StartupPages {
    /// Drops the mappings; returns how many resident bytes they held then (0 off Linux).
    @discardableResult
    static func release() -> Int {
        #if os(Linux)
        guard let smaps = PosixFile.contents(atPath: "/proc/self/smaps") else { return 0 }
        var released = 0
        for mapping in droppable(smaps: smaps) {
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                released += mapping.residentKB * 1024
            }
        }
        return released
        #else
        return 0
        #endif
    }

    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var residentKB: Int
    }

    /// Private, read-only, file-backed mappings with resident pages and no anonymous
    /// (copy-on-write) pages: re-read from the file on the next touch, so dropping them loses
    /// nothing. Writable ones and relocated read-only data (anonymous pages) are kept.
    static func droppable(smaps: [UInt8]) -> [Mapping] {
        var found: [Mapping] = []
        var current: (mapping: Mapping, eligible: Bool, anonymousKB: Int)?
        func finish() {
            if let current, current.eligible, current.anonymousKB == 0, current.mapping.residentKB > 0 {
                found.append(current.mapping)
            }
        }
        for line in smaps.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard let first = fields.first else { continue }
            if first.last == UInt8(ascii: ":") {
                // "Rss:  123 kB", "Anonymous:  0 kB", …
                guard current != nil, fields.count >= 2, let value = Int(String(decoding: fields[1], as: UTF8.self)) else { continue }
                switch String(decoding: first, as: UTF8.self) {
                case "Rss:": current?.mapping.residentKB = value
                case "Anonymous:": current?.anonymousKB = value
                default: break
                }
                continue
            }
            // A mapping's header: "start-end perms offset dev inode [path]".
            finish()
            current = nil
            let range = first.split(separator: UInt8(ascii: "-"))
            guard fields.count >= 5, range.count == 2,
                  let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                  let end = UInt(String(decoding: range[1], as: UTF8.self), radix: 16), end > start
            else { continue }
            let perms = Array(fields[1])
            let fileBacked = fields.count >= 6 && fields[5].first == UInt8(ascii: "/")
            let eligible = perms.count == 4 && perms[1] == UInt8(ascii: "-") && perms[3] == UInt8(ascii: "p") && fileBacked
            current = (Mapping(start: start, end: end, residentKB: 0), eligible, 0)
        }
        finish()
        return found
    }
}
