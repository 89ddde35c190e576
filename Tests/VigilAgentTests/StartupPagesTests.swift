import Foundation
import Testing
@testable import VigilAgent

@Suite("StartupPages")
struct StartupPagesTests {
    /// Only private, read-only, file-backed mappings without copy-on-write pages are dropped.
    @Test func picksCleanReadOnlyFileMappings() {
        let smaps = """
        55d0a0000000-55d0a1000000 r-xp 00000000 08:01 42 /usr/bin/vigil
        Size:              16384 kB
        Rss:                9000 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55d0a1000000-55d0a1100000 r--p 01000000 08:01 42 /usr/bin/vigil
        Rss:                 800 kB
        Anonymous:           790 kB
        55d0a1100000-55d0a1200000 rw-p 01100000 08:01 42 /usr/bin/vigil
        Rss:                 100 kB
        Anonymous:           100 kB
        7f0000000000-7f0000100000 r--s 00000000 08:01 43 /usr/share/shared.db
        Rss:                  64 kB
        Anonymous:             0 kB
        7f0000100000-7f0000200000 r-xp 00000000 08:01 44 /usr/lib/libswiftCore.so
        Rss:                   0 kB
        Anonymous:             0 kB
        7f0000200000-7f0000300000 rw-p 00000000 00:00 0
        Rss:                 500 kB
        Anonymous:           500 kB
        7f0000300000-7f0000400000 r--p 00000000 08:01 45 /usr/lib/lib_FoundationICU.so
        Rss:                2900 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        """
        let found = StartupPages.droppable(smaps: Array(smaps.utf8))
        #expect(found == [
            StartupPages.Mapping(start: 0x55d0a0000000, end: 0x55d0a1000000, residentKB: 9000),
            StartupPages.Mapping(start: 0x7f0000300000, end: 0x7f0000400000, residentKB: 2900),
        ])
    }

    /// Released pages come back on the next touch: the process goes on working.
    @Test func theProcessKeepsWorkingAfterRelease() throws {
        StartupPages.release()
        let encoded = try JSONEncoder().encode(["role": "primary"])
        #expect(try JSONDecoder().decode([String: String].self, from: encoded) == ["role": "primary"])
        #expect(ProcessControl.liveness(pidFile: "/nonexistent/mysqld.pid") == .unknown)
    }
}
