import Foundation
import VigilKube

/// A container's environment as the kubelet builds it: literal values (which may reference
/// earlier variables as `$(NAME)`), the downward API (`fieldRef`), and keys of Secrets and
/// ConfigMaps. A missing non-optional source is an error (the real kubelet reports
/// `CreateContainerConfigError` and retries).
enum ContainerEnvironment {
    struct Unresolved: Error, Sendable {
        var message: String
    }

    static func resolve(_ container: Container, pod: Pod, podIP: String, hostIP: String,
                        configMaps: (String) -> ConfigMap?, secrets: (String) -> Secret?)
        throws(Unresolved) -> [String: String]
    {
        var environment: [String: String] = [:]
        for variable in container.env ?? [] {
            if let value = variable.value {
                environment[variable.name] = EnvironmentExpansion.expand(value, environment)
            } else if let source = variable.valueFrom {
                if let field = source.fieldRef {
                    guard let value = fieldValue(field.fieldPath, pod: pod, podIP: podIP, hostIP: hostIP) else {
                        throw Unresolved(message: "env \(variable.name): unsupported fieldRef \(field.fieldPath)")
                    }
                    environment[variable.name] = value
                } else if let key = source.secretKeyRef {
                    let secret = secrets(key.name)
                    let data = secret?.data?[key.key] ?? secret?.stringData?[key.key].map { Data($0.utf8) }
                    if let data {
                        environment[variable.name] = String(decoding: data, as: UTF8.self)
                    } else if key.optional != true {
                        throw Unresolved(message: "env \(variable.name): secret \(key.name) key \(key.key) not found")
                    }
                } else if let key = source.configMapKeyRef {
                    if let value = configMaps(key.name)?.data?[key.key] {
                        environment[variable.name] = value
                    } else if key.optional != true {
                        throw Unresolved(message: "env \(variable.name): configmap \(key.name) key \(key.key) not found")
                    }
                }
            } else {
                environment[variable.name] = ""
            }
        }
        return environment
    }

    /// The downward API fields the kubelet supports for env.
    static func fieldValue(_ path: String, pod: Pod, podIP: String, hostIP: String) -> String? {
        switch path {
        case "status.podIP": return podIP
        case "status.podIPs": return podIP
        case "status.hostIP": return hostIP
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.metadata.namespace ?? "default"
        case "metadata.uid": return pod.metadata.uid ?? ""
        case "spec.nodeName": return pod.spec?.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? "default"
        default:
            for (prefix, map) in [("metadata.labels", pod.metadata.labels), ("metadata.annotations", pod.metadata.annotations)] {
                // metadata.labels['key']
                guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { continue }
                let key = String(path.dropFirst(prefix.count + 2).dropLast(2))
                return map?[key] ?? ""
            }
            return nil
        }
    }
}
