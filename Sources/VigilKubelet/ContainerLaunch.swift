import VigilKube

/// How a container's image is interpreted on this host: there is no container runtime, so
/// the images Vigil uses are emulated by running the equivalent local program.
///
/// - `mariadb:*` / `mysql:*` (any registry): the official image's entrypoint. Args starting
///   with `-` get `mariadbd` prepended (the image's rule); `mariadbd` / `mysqld` as the first
///   word runs the server. First, as the entrypoint does, an empty data directory (no
///   `mysql/` inside) is initialised with `mariadb-install-db`. As root, `--user=root`.
/// - an image whose name contains `vigil`, with command `["vigil", …]` (or no command): the
///   built `vigil` executable with the rest of the command and the args.
/// - anything else: the pod fails with reason `UnsupportedImage`.
struct ContainerLaunch: Sendable, Equatable {
    enum Program: Sendable, Equatable {
        /// The MariaDB image's entrypoint: `arguments` are mariadbd's.
        case mariadb
        /// Exec `executable` directly.
        case executable(String)
    }

    var program: Program
    /// After `$(VAR)` expansion and mount translation.
    var arguments: [String]

    struct Unsupported: Error, Sendable, Equatable {
        var message: String
    }

    /// `image` without registry, path and tag: `docker.io/library/mariadb:10.11` → `mariadb`.
    static func imageName(_ image: String) -> String {
        var name = image
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        return name
    }

    /// Decides what to run; `command` and `args` are already expanded and translated.
    static func plan(image: String?, command: [String]?, args: [String]?, vigilBinary: String)
        throws(Unsupported) -> ContainerLaunch
    {
        let image = image ?? ""
        let name = imageName(image)
        let command = command ?? []
        let args = args ?? []
        if name == "mariadb" || name == "mysql" {
            // A command replaces the entrypoint; only the server itself can be emulated.
            var words = command + args
            if command.isEmpty, words.isEmpty || words[0].hasPrefix("-") { words.insert("mariadbd", at: 0) }
            guard let first = words.first, ["mariadbd", "mysqld"].contains(lastPathComponent(first)) else {
                throw Unsupported(message: "image \(image): only the server (mariadbd / mysqld or options) can be "
                                  + "emulated, not \((command + args).joined(separator: " "))")
            }
            return ContainerLaunch(program: .mariadb, arguments: Array(words.dropFirst()))
        }
        if image.contains("vigil") {
            if command.isEmpty { return ContainerLaunch(program: .executable(vigilBinary), arguments: args) }
            guard lastPathComponent(command[0]) == "vigil" else {
                throw Unsupported(message: "image \(image): only the vigil command can be run, not \(command[0])")
            }
            return ContainerLaunch(program: .executable(vigilBinary), arguments: Array(command.dropFirst()) + args)
        }
        throw Unsupported(message: "the test kubelet cannot run image \(image.isEmpty ? "(none)" : image): "
                          + "only mariadb/mysql images and vigil images are emulated")
    }

    static func lastPathComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
