import Foundation
import VigilTestSupport

/// Headless Chromium (Debian package `chromium`) for the dashboard's browser test. Missing, the
/// test skips, unless `VIGIL_REQUIRE_MARIADB=1` (CI), where it fails saying how to install it.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var required: Bool { ProcessInfo.processInfo.environment["VIGIL_REQUIRE_MARIADB"] == "1" }

    static var runnable: Bool { path != nil || required }

    static func flags(_ profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--user-data-dir=\(profile)", "--virtual-time-budget=4000"]
    }

    /// The page's DOM after its scripts ran (first paint from /status, then the WebSocket).
    static func dumpDOM(_ url: String) async throws -> String {
        let profile = try tempProfile()
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let out = try await VigilBinary.runExecutable(path ?? "chromium", flags(profile) + ["--dump-dom", url], timeout: .seconds(90))
        return out.stdout
    }

    static func screenshot(_ url: String, to file: String) async throws {
        let profile = try tempProfile()
        defer { try? FileManager.default.removeItem(atPath: profile) }
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = try await VigilBinary.runExecutable(
            path ?? "chromium", flags(profile) + ["--hide-scrollbars", "--window-size=1400,1100", "--screenshot=\(file)", url],
            timeout: .seconds(90))
    }

    static func tempProfile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-chromium-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `<package>/.build/test-artifacts/<name>`: kept after the run (CI uploads it).
    static func artifactPath(_ name: String) -> String {
        // This file is <package>/Tests/VigilLocalTests/Support/Chromium.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/test-artifacts/\(name)").path
    }
}
