import Foundation
import Testing
@testable import VigilLocal

/// `mariadb-install-db` stand-ins (shell scripts taking the same arguments) against the
/// installer: a finished data directory appears only on success; failure, a hang or a crash
/// leave nothing a later start could mistake for one.
@Suite struct DataDirectoryInstallTests {
    /// A scratch directory with a fake tool whose body is `script` (`$DATADIR` is the directory
    /// it was asked to create).
    func fixture(_ script: String) throws -> (dir: String, tool: String, data: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-install-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        let tool = dir + "/mariadb-install-db"
        let body = """
            #!/bin/sh
            for a in "$@"; do case "$a" in --datadir=*) DATADIR="${a#--datadir=}";; esac; done
            \(script)
            """
        try body.write(toFile: tool, atomically: true, encoding: .utf8)
        chmod(tool, 0o755)
        return (dir, tool, dir + "/data")
    }

    func install(_ f: (dir: String, tool: String, data: String), timeout: Duration = .seconds(30)) async throws(LocalError) {
        try await DataDirectoryInstall.run(tool: f.tool, dataDirectory: f.data, tmpDirectory: f.dir + "/tmp",
                                     log: f.dir + "/install.log", asRoot: false, timeout: timeout)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func aSuccessfulInstallAppearsWhole() async throws {
        let f = try fixture(#"mkdir -p "$DATADIR/mysql" && echo ok > "$DATADIR/mysql/user.frm""#)
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        try FileManager.default.createDirectory(atPath: f.data, withIntermediateDirectories: true)  // empty: replaced
        try await install(f)
        #expect(exists(f.data + "/mysql/user.frm"))
        #expect(!exists(f.data + ".installing"))
    }

    @Test func aFailedInstallLeavesNothingAndSaysWhy() async throws {
        let f = try fixture(#"mkdir -p "$DATADIR/mysql"; echo "disk full, pretend" >&2; exit 3"#)
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        await #expect {
            try await install(f)
        } throws: { error in
            guard case .failed(let why) = error as? LocalError else { return false }
            return why.contains("status 3") && why.contains("disk full, pretend") && why.contains("nothing was installed")
        }
        #expect(!exists(f.data + "/mysql"), "a half-made data directory would be taken for a finished one")
        #expect(!exists(f.data + ".installing"))
    }

    @Test func aHangingInstallIsStoppedWithItsChildren() async throws {
        // The tool starts a child (as the real one starts `mariadbd --bootstrap`) and hangs.
        let f = try fixture(#"""
            mkdir -p "$DATADIR/mysql"
            sleep 600 & echo $! > "$DATADIR/../child.pid"
            wait
            """#)
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        let started = ContinuousClock.now
        await #expect {
            try await install(f, timeout: .milliseconds(500))
        } throws: { error in
            guard case .failed(let why) = error as? LocalError else { return false }
            return why.contains("did not finish")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(!exists(f.data + "/mysql"))
        #expect(!exists(f.data + ".installing"))
        let child = try #require(pid_t(String(contentsOfFile: f.dir + "/child.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // Killed with the tool's session (a zombie until whoever inherited it reaps it).
        let deadline = ContinuousClock.now + .seconds(5)
        while Spawn.isAlive(child) && ContinuousClock.now < deadline { usleep(20_000) }
        #expect(!Spawn.isAlive(child), "the tool's child outlived the timeout")
    }

    @Test func leftoversOfAnInterruptedAttemptAreDiscarded() async throws {
        let f = try fixture(#"mkdir "$DATADIR" && mkdir "$DATADIR/mysql""#)  // fails if the directory exists
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        try FileManager.default.createDirectory(atPath: f.data + ".installing/mysql", withIntermediateDirectories: true)
        try await install(f)
        #expect(exists(f.data + "/mysql"))
    }
}
