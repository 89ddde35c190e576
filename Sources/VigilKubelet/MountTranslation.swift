/// Emulated mount namespaces.
///
/// A real container sees its volumes at their `mountPath`s (`/var/lib/mysql`, `/etc/vigil/secret`,
/// …). Here every container is a plain process in the host's filesystem, so those paths do not
/// exist. Instead, every occurrence of a mount path (as a whole path component prefix) is
/// rewritten to the volume's host directory:
///
/// - in the container's command and args (after `$(VAR)` expansion), with that container's
///   own mounts, and
/// - in the contents of the files materialised from ConfigMap and Secret volumes (a my.cnf's
///   `datadir=/var/lib/mysql`, an agent config's `pidFile`), with the mounts of all the pod's
///   containers (a volume's files are shared; if two containers mount different volumes at the
///   same path, the first container's wins).
///
/// A path is rewritten only where it starts a path (not preceded by a path character) and
/// ends at a component boundary, so `/run/mysqld` matches in `socket=/run/mysqld/x.sock` but
/// not inside `/var/run/mysqld2`. Longer mount paths win over their prefixes. Programs that
/// build paths at run time from pieces, or read paths from other sources, are not covered.
struct MountTranslation: Sendable {
    /// (mountPath, hostPath), longest mount path first.
    let mounts: [(mountPath: String, hostPath: String)]

    init(_ mounts: [String: String]) {
        self.mounts = mounts
            .map { (mountPath: Self.trimmed($0.key), hostPath: Self.trimmed($0.value)) }
            .filter { !$0.mountPath.isEmpty && $0.mountPath != "/" }
            .sorted { $0.mountPath.utf8.count > $1.mountPath.utf8.count }
    }

    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    func translate(_ text: String) -> String {
        guard !mounts.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        scanning: while index < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), index == 0 || !Self.isPathByte(bytes[index - 1]) {
                for mount in mounts {
                    let pattern = Array(mount.mountPath.utf8)
                    let end = index + pattern.count
                    guard end <= bytes.count, Array(bytes[index..<end]) == pattern else { continue }
                    if end < bytes.count && bytes[end] != UInt8(ascii: "/") && Self.isPathByte(bytes[end]) { continue }
                    output += Array(mount.hostPath.utf8)
                    index = end
                    continue scanning
                }
            }
            output.append(bytes[index])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Bytes that can continue a path name (so a match next to them is not a whole path).
    static func isPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: "/"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "@"):
            true
        default:
            // Non-ASCII bytes are treated as name characters (a UTF-8 file name).
            byte >= 0x80
        }
    }
}
