import Foundation
import Testing
@testable import VigilAgent

@Suite("ProcessControl")
struct ProcessControlTests {
    private func pidFile(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "pid-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    @Test func livenessFromThePidFile() throws {
        let mine = pidFile("\(getpid())\n")
        defer { try? FileManager.default.removeItem(atPath: mine) }
        #expect(ProcessControl.liveness(pidFile: mine) == .alive(getpid()))

        // A pid far above pid_max never exists.
        let gone = pidFile("99999999")
        defer { try? FileManager.default.removeItem(atPath: gone) }
        #expect(ProcessControl.liveness(pidFile: gone) == .dead(99_999_999))
        #expect(ProcessControl.killServer(pidFile: gone) == .alreadyGone(99_999_999))

        let junk = pidFile("not a pid")
        defer { try? FileManager.default.removeItem(atPath: junk) }
        #expect(ProcessControl.liveness(pidFile: junk) == .unknown)
        #expect(ProcessControl.liveness(pidFile: "/nonexistent/mysqld.pid") == .unknown)
        #expect(ProcessControl.killServer(pidFile: "/nonexistent/mysqld.pid") == .noPID)
    }
}
