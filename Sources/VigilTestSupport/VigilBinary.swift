import Foundation

/// Runs the built `vigil` executable (tests run after `swift build`, which builds it).
/// Spawned and reaped by us, not by Foundation's Process: `vigil local up` leaves a
/// supervisor behind in its own session, which Process's child monitoring does not expect.
public enum VigilBinary {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["VIGIL_BINARY"] { return explicit }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/vigil").path
    }

    public static func run(_ arguments: [String], timeout: Duration = .seconds(180)) async throws -> Output {
        try await runExecutable(path, arguments, timeout: timeout)
    }

    /// Any other tool (e.g. `curl` in end-to-end tests), the same way.
    public static func runExecutable(_ executable: String, _ arguments: [String],
                                     timeout: Duration = .seconds(60)) async throws -> Output {
        let path = executable
        let dir = FileManager.default.temporaryDirectory
        let outPath = dir.appendingPathComponent("vigil-out-\(UUID())").path
        let errPath = dir.appendingPathComponent("vigil-err-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        let (status, stdout) = try await runTool(path, arguments, outputPath: outPath, errorPath: errPath, timeout: timeout)
        let code: Int32
        switch status {
        case .exited(let c): code = c
        case .signaled(let s): code = 128 + s
        case .unknown: code = -1
        }
        return Output(status: code, stdout: stdout, stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
