// Finding the binaries, the once-per-process data-directory template and TLS material, and
// the readiness probe (a raw TCP read of the server's handshake packet).
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server binaries one fixture uses.
struct MariaDBBinaries: Sendable, Hashable {
    var mariadbd: String
    var installDB: String
    /// The installation prefix (`/usr` for Debian's packages).
    var baseDirectory: String

    static func locate(mariadbdOverride: String?) throws -> MariaDBBinaries {
        let environment = ProcessInfo.processInfo.environment
        var searched: [String] = []
        var mariadbd: String?
        if let explicit = mariadbdOverride ?? environment["VIGIL_MARIADBD"].flatMap({ $0.isEmpty ? nil : $0 }) {
            searched.append(explicit)
            guard isExecutableFile(explicit) else {
                throw MariaDBFixtureError.mariadbdNotFound(searched: searched)
            }
            mariadbd = explicit
        } else {
            searched.append("$PATH")
            mariadbd = findInPath("mariadbd")
            for candidate in ["/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/libexec/mariadbd"]
            where mariadbd == nil {
                searched.append(candidate)
                if isExecutableFile(candidate) { mariadbd = candidate }
            }
        }
        guard let mariadbd else { throw MariaDBFixtureError.mariadbdNotFound(searched: searched) }

        let binDirectory = (mariadbd as NSString).deletingLastPathComponent
        let prefix = (binDirectory as NSString).deletingLastPathComponent
        var installSearched: [String] = []
        var installDB: String?
        if let explicit = environment["VIGIL_MARIADB_INSTALL_DB"], !explicit.isEmpty {
            installSearched.append(explicit)
            if isExecutableFile(explicit) { installDB = explicit }
        } else {
            var candidates: [String] = []
            for directory in [binDirectory, "\(prefix)/bin", "\(prefix)/scripts"] {
                candidates += ["\(directory)/mariadb-install-db", "\(directory)/mysql_install_db"]
            }
            for candidate in candidates where installDB == nil {
                installSearched.append(candidate)
                if isExecutableFile(candidate) { installDB = candidate }
            }
            if installDB == nil {
                installSearched.append("$PATH")
                installDB = findInPath("mariadb-install-db") ?? findInPath("mysql_install_db")
            }
        }
        guard let installDB else {
            throw MariaDBFixtureError.installDBNotFound(mariadbd: mariadbd, searched: installSearched)
        }
        return MariaDBBinaries(mariadbd: mariadbd, installDB: installDB, baseDirectory: prefix.isEmpty ? "/" : prefix)
    }
}

/// Server settings shared by the template bootstrap and every server start, so that the
/// template's InnoDB files match what the server expects.
let commonServerArguments = [
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=16M",
    "--performance-schema=OFF",
    // io_uring / libaio are often unavailable in containers (seccomp, memlock limits).
    "--innodb-use-native-aio=OFF",
]

var runningAsRoot: Bool { geteuid() == 0 }

/// TLS material shared by all TLS-enabled servers of one test process.
struct TLSMaterial: Sendable {
    var caCertificate: String
    var caKey: String
    var serverCertificate: String
    var serverKey: String
}

/// Builds the data-directory template (one `mariadb-install-db` per process and binary) and
/// the TLS material at most once, even when many servers start concurrently.
actor FixtureCache {
    static let shared = FixtureCache()

    private var templates: [MariaDBBinaries: Task<String, any Error>] = [:]
    private var tls: Task<TLSMaterial, any Error>?

    /// The path of a pristine data directory to copy.
    func template(for binaries: MariaDBBinaries) async throws -> String {
        let task: Task<String, any Error>
        if let existing = templates[binaries] {
            task = existing
        } else {
            task = Task { try await Self.buildTemplate(binaries) }
            templates[binaries] = task
        }
        do {
            return try await task.value
        } catch {
            if templates[binaries] == task { templates[binaries] = nil }  // let a later start retry
            throw error
        }
    }

    func tlsMaterial() async throws -> TLSMaterial {
        let task: Task<TLSMaterial, any Error>
        if let existing = tls {
            task = existing
        } else {
            task = Task { try await Self.generateTLS() }
            tls = task
        }
        do {
            return try await task.value
        } catch {
            if tls == task { tls = nil }
            throw error
        }
    }

    private static func buildTemplate(_ binaries: MariaDBBinaries) async throws -> String {
        let root = try FixtureRegistry.shared.root()
        let directory = "\(root)/template-\(UUID().uuidString.prefix(8))"
        let dataDirectory = "\(directory)/data"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MariaDBFixtureError.temporaryDirectoryFailed(path: directory, reason: "\(error)")
        }
        var arguments = [
            "--no-defaults",
            "--datadir=\(dataDirectory)",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ]
        if binaries.baseDirectory != "/usr" { arguments.append("--basedir=\(binaries.baseDirectory)") }
        if runningAsRoot { arguments.append("--user=root") }
        arguments += commonServerArguments
        let (status, output) = try await runTool(
            binaries.installDB, arguments, outputPath: "\(directory)/install-db.log",
            timeout: .seconds(180))
        guard status == .exited(0) else {
            throw MariaDBFixtureError.installDBFailed(status: status, output: output)
        }
        return dataDirectory
    }

    private static func generateTLS() async throws -> TLSMaterial {
        guard let openssl = findInPath("openssl") ?? ["/usr/bin/openssl"].first(where: isExecutableFile)
        else {
            throw MariaDBFixtureError.opensslFailed(command: "openssl", output: "openssl not found")
        }
        let directory = "\(try FixtureRegistry.shared.root())/tls"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try """
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,digitalSignature,keyEncipherment
                extendedKeyUsage=serverAuth
                subjectAltName=IP:127.0.0.1,DNS:localhost
                subjectKeyIdentifier=hash
                authorityKeyIdentifier=keyid
                """.write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        } catch {
            throw MariaDBFixtureError.temporaryDirectoryFailed(path: directory, reason: "\(error)")
        }
        let material = TLSMaterial(
            caCertificate: "\(directory)/ca.pem", caKey: "\(directory)/ca-key.pem",
            serverCertificate: "\(directory)/server-cert.pem", serverKey: "\(directory)/server-key.pem")
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let serial = "0x" + (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let steps: [[String]] = [
            ["req", "-x509", "-new"] + ec + [
                "-keyout", material.caKey, "-out", material.caCertificate, "-days", "3650",
                "-subj", "/CN=Vigil Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            ["req", "-new"] + ec + [
                "-keyout", material.serverKey, "-out", "\(directory)/server.csr", "-subj", "/CN=127.0.0.1",
            ],
            [
                "x509", "-req", "-in", "\(directory)/server.csr", "-CA", material.caCertificate,
                "-CAkey", material.caKey, "-set_serial", serial, "-days", "3650",
                "-extfile", "\(directory)/server.ext", "-out", material.serverCertificate,
            ],
        ]
        for (index, step) in steps.enumerated() {
            let (status, output) = try await runTool(
                openssl, step, outputPath: "\(directory)/openssl-\(index).log", timeout: .seconds(60))
            guard status == .exited(0) else {
                throw MariaDBFixtureError.opensslFailed(
                    command: (["openssl"] + step).joined(separator: " "), output: "\(status): \(output)")
            }
        }
        return material
    }
}

/// What a readiness probe saw.
enum ProbeResult {
    case ready
    case notYet
}

/// One attempt: connect to 127.0.0.1:port and read the first bytes. A MySQL/MariaDB server
/// that accepts connections sends its handshake at once: 3-byte length, sequence id 0, then
/// protocol version 10. The server only accepts after `--init-file` ran, so this also means
/// the test account exists. Never blocks: the socket is non-blocking and polled with sleeps.
func probeHandshake(port: Int, attemptTimeout: Duration) async -> ProbeResult {
    #if canImport(Darwin)
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    #else
    let fd = socket(
        AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    #endif
    guard fd >= 0 else { return .notYet }
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    if connected != 0 && errno != EINPROGRESS { return .notYet }

    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: attemptTimeout)
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64)
    while clock.now < deadline {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += buffer[0..<count]
            if received.count >= 5 {
                return received[3] == 0 && received[4] == 10 ? .ready : .notYet
            }
            continue
        }
        if count == 0 { return .notYet }  // closed before a handshake
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOTCONN {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return .notYet }
            continue
        }
        return .notYet  // ECONNREFUSED and friends
    }
    return .notYet
}

/// A random password of letters and digits (safe inside SQL quotes and environments).
func randomPassword(length: Int = 24) -> String {
    let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
}
