import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VigilKube

/// A pod's volumes as host directories:
/// - `persistentVolumeClaim` → `<work>/pvc/<namespace>/<claim>`, which outlives pods (so a
///   re-created pod finds its data directory);
/// - `emptyDir` → a fresh directory under the pod's own directory;
/// - `configMap` / `secret` → one file per key, mode `defaultMode` (0644 when unset; a Secret's
///   0400 keeps the agent happy, which refuses configs readable by group or others), contents
///   passed through the pod's `MountTranslation`.
struct PodVolumes: Sendable {
    struct Missing: Error, Sendable {
        var message: String
    }

    /// volume name → host directory.
    let directories: [String: String]
    let volumes: [Volume]

    init(pod: Pod, podDirectory: String, workDirectory: String) {
        let namespace = pod.metadata.namespace ?? "default"
        var directories: [String: String] = [:]
        for volume in pod.spec?.volumes ?? [] {
            if let claim = volume.persistentVolumeClaim {
                directories[volume.name] = "\(workDirectory)/pvc/\(namespace)/\(claim.claimName)"
            } else {
                directories[volume.name] = "\(podDirectory)/v/\(volume.name)"
            }
        }
        self.directories = directories
        volumes = pod.spec?.volumes ?? []
    }

    /// mountPath → host path for `container` (honouring `subPath`).
    func mounts(of container: Container) -> [String: String] {
        var mounts: [String: String] = [:]
        for mount in container.volumeMounts ?? [] {
            guard let directory = directories[mount.name] else { continue }
            let subPath = mount.subPath.map { $0.isEmpty ? "" : "/\($0)" } ?? ""
            mounts[mount.mountPath] = directory + subPath
        }
        return mounts
    }

    /// The union of all containers' mounts (the first container mounting a path wins), for
    /// translating file contents.
    func podMounts(_ pod: Pod) -> [String: String] {
        var mounts: [String: String] = [:]
        for container in pod.spec?.containers ?? [] {
            mounts.merge(self.mounts(of: container)) { first, _ in first }
        }
        return mounts
    }

    /// The files each ConfigMap / Secret volume should hold now (name → (bytes, mode)).
    /// Throws `Missing` when a non-optional source does not exist yet.
    func projectedFiles(namespace: String, configMaps: (String) -> ConfigMap?, secrets: (String) -> Secret?,
                        translation: MountTranslation) throws(Missing) -> [String: [String: (Data, Int)]] {
        var result: [String: [String: (Data, Int)]] = [:]
        for volume in volumes {
            if let source = volume.configMap {
                guard let map = configMaps(source.name) else {
                    if source.optional == true { result[volume.name] = [:]; continue }
                    throw Missing(message: "configmap \"\(source.name)\" not found")
                }
                var files: [String: (Data, Int)] = [:]
                for (key, value) in map.data ?? [:] { files[key] = (Data(translation.translate(value).utf8), source.defaultMode ?? 0o644) }
                for (key, value) in map.binaryData ?? [:] { files[key] = (value, source.defaultMode ?? 0o644) }
                result[volume.name] = files
            } else if let source = volume.secret {
                guard let secret = secrets(source.secretName) else {
                    if source.optional == true { result[volume.name] = [:]; continue }
                    throw Missing(message: "secret \"\(source.secretName)\" not found")
                }
                var files: [String: (Data, Int)] = [:]
                var data = secret.data ?? [:]
                for (key, value) in secret.stringData ?? [:] { data[key] = Data(value.utf8) }
                for (key, value) in data {
                    // Text is translated like a ConfigMap's; binary keys are written as they are.
                    let bytes = String(data: value, encoding: .utf8).map { Data(translation.translate($0).utf8) } ?? value
                    files[key] = (bytes, source.defaultMode ?? 0o644)
                }
                result[volume.name] = files
            }
        }
        return result
    }

    /// Creates the directories (PVC ones only if absent, so data survives).
    func createDirectories() throws {
        for directory in directories.values {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// Writes projected files whose bytes or mode differ from what is on disk; removes keys
    /// that disappeared. Each file is replaced atomically (write then rename), as the real
    /// kubelet's atomic writer swaps a symlink, so a reader never sees half a file.
    func write(_ files: [String: [String: (Data, Int)]]) throws {
        let manager = FileManager.default
        for (volume, contents) in files {
            guard let directory = directories[volume] else { continue }
            for (key, (bytes, mode)) in contents {
                let path = "\(directory)/\(key)"
                let current = manager.contents(atPath: path)
                let currentMode = (try? manager.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
                if current == bytes && currentMode == mode { continue }
                let temporary = "\(directory)/..\(key).tmp"
                try? manager.removeItem(atPath: temporary)
                guard manager.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: mode]) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
                }
                try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
                guard rename(temporary, path) == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
            for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            where !name.hasPrefix("..") && contents[name] == nil {
                try? manager.removeItem(atPath: "\(directory)/\(name)")
            }
        }
    }
}
