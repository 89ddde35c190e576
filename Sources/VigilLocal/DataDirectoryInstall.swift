import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Creates a MariaDB data directory with `mariadb-install-db`, all or nothing and bounded.
///
/// The tool writes into `<data>.installing`, which becomes `<data>` (one `rename`) only once
/// the tool succeeded: a failed, killed or hung attempt never leaves a half-made directory
/// behind that a later start would take for a finished one (the group is not initialised
/// until it has started, so the next `up` installs again). The tool runs in a session of its
/// own so that a timeout kills it together with the `mariadbd --bootstrap` it started.
enum DataDirectoryInstall {
    static func run(tool: String, dataDirectory data: String, tmpDirectory: String, log: String,
                    asRoot: Bool, timeout: Duration = .seconds(300)) async throws(LocalError) {
        let staging = data + ".installing"
        let fm = FileManager.default
        try? fm.removeItem(atPath: staging)  // an earlier attempt's leftovers
        var args = ["--no-defaults", "--datadir=\(staging)", "--auth-root-authentication-method=normal",
                    "--skip-test-db", "--tmpdir=\(tmpDirectory)"]
        if asRoot { args.append("--user=root") }
        guard let status = try await Spawn.run(tool, args, log: log, within: timeout, newSession: true) else {
            try? fm.removeItem(atPath: staging)
            throw .failed("mariadb-install-db did not finish within \(timeout) and was stopped; "
                + "nothing was installed (log: \(log)):\n\(Spawn.tail(log))")
        }
        guard status == 0 else {
            try? fm.removeItem(atPath: staging)
            throw .failed("mariadb-install-db failed (status \(status)); nothing was installed:\n\(Spawn.tail(log))")
        }
        // An empty target (made by hand, or by an earlier layout) is replaced by rename(2).
        guard rename(staging, data) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: staging)
            throw .failed("cannot move the new data directory into place at \(data): \(reason)")
        }
    }
}
