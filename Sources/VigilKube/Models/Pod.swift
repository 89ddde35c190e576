import Foundation

/// `core/v1` Pod.
public struct Pod: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let namespaced = true

    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PodStatus.self, forKey: .status)
    }
}

/// A pod template (Deployment, StatefulSet).
public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The pod fields an operator sets.
public struct PodSpec: Codable, Sendable, Hashable {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var volumes: [Volume]?
    public var nodeName: String?
    public var nodeSelector: [String: String]?
    public var affinity: JSONValue?
    public var tolerations: [Toleration]?
    public var serviceAccountName: String?
    public var terminationGracePeriodSeconds: Int64?
    public var hostname: String?
    public var subdomain: String?
    public var priorityClassName: String?
    public var securityContext: JSONValue?
    /// Containers see each other's processes (the agent signals mysqld).
    public var shareProcessNamespace: Bool?

    public init(containers: [Container] = [], initContainers: [Container]? = nil, volumes: [Volume]? = nil, nodeName: String? = nil, nodeSelector: [String: String]? = nil, affinity: JSONValue? = nil, tolerations: [Toleration]? = nil, serviceAccountName: String? = nil, terminationGracePeriodSeconds: Int64? = nil, hostname: String? = nil, subdomain: String? = nil, priorityClassName: String? = nil, securityContext: JSONValue? = nil, shareProcessNamespace: Bool? = nil) {
        self.shareProcessNamespace = shareProcessNamespace
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.affinity = affinity
        self.tolerations = tolerations
        self.serviceAccountName = serviceAccountName
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.hostname = hostname
        self.subdomain = subdomain
        self.priorityClassName = priorityClassName
        self.securityContext = securityContext
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        containers = try container.decodeIfPresent([Container].self, forKey: .containers) ?? []
        initContainers = try container.decodeIfPresent([Container].self, forKey: .initContainers)
        volumes = try container.decodeIfPresent([Volume].self, forKey: .volumes)
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        nodeSelector = try container.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        affinity = try container.decodeIfPresent(JSONValue.self, forKey: .affinity)
        tolerations = try container.decodeIfPresent([Toleration].self, forKey: .tolerations)
        serviceAccountName = try container.decodeIfPresent(String.self, forKey: .serviceAccountName)
        terminationGracePeriodSeconds = try container.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        subdomain = try container.decodeIfPresent(String.self, forKey: .subdomain)
        priorityClassName = try container.decodeIfPresent(String.self, forKey: .priorityClassName)
        securityContext = try container.decodeIfPresent(JSONValue.self, forKey: .securityContext)
        shareProcessNamespace = try container.decodeIfPresent(Bool.self, forKey: .shareProcessNamespace)
    }
}

/// One container of a pod.
public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    public var ports: [ContainerPort]?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMount]?
    public var readinessProbe: Probe?
    public var livenessProbe: Probe?
    public var startupProbe: Probe?
    public var imagePullPolicy: String?
    public var securityContext: JSONValue?

    public init(name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil, env: [EnvVar]? = nil, ports: [ContainerPort]? = nil, resources: ResourceRequirements? = nil, volumeMounts: [VolumeMount]? = nil, readinessProbe: Probe? = nil, livenessProbe: Probe? = nil, startupProbe: Probe? = nil, imagePullPolicy: String? = nil, securityContext: JSONValue? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.ports = ports
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.startupProbe = startupProbe
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
    }
}

/// An environment variable: a literal `value` or one taken from a Secret / ConfigMap.
public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where an environment variable's value comes from.
public struct EnvVarSource: Codable, Sendable, Hashable {
    public var secretKeyRef: KeySelector?
    public var configMapKeyRef: KeySelector?
    public var fieldRef: ObjectFieldSelector?

    public init(secretKeyRef: KeySelector? = nil, configMapKeyRef: KeySelector? = nil, fieldRef: ObjectFieldSelector? = nil) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
        self.fieldRef = fieldRef
    }
}

/// A key of a Secret or ConfigMap.
public struct KeySelector: Codable, Sendable, Hashable {
    public var name: String
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// The downward API (`metadata.name`, `status.podIP`, …).
public struct ObjectFieldSelector: Codable, Sendable, Hashable {
    public var fieldPath: String
    public var apiVersion: String?

    public init(fieldPath: String, apiVersion: String? = nil) {
        self.fieldPath = fieldPath
        self.apiVersion = apiVersion
    }
}

/// A port a container listens on.
public struct ContainerPort: Codable, Sendable, Hashable {
    public var containerPort: Int
    public var name: String?
    public var `protocol`: String?

    public init(containerPort: Int, name: String? = nil, `protocol`: String? = nil) {
        self.containerPort = containerPort
        self.name = name
        self.`protocol` = `protocol`
    }
}

/// Requests and limits as quantity strings (`"500m"`, `"1Gi"`).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var requests: [String: String]?
    public var limits: [String: String]?

    public init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// Where a volume appears in a container.
public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var mountPath: String
    public var subPath: String?
    public var readOnly: Bool?

    public init(name: String, mountPath: String, subPath: String? = nil, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.subPath = subPath
        self.readOnly = readOnly
    }
}

/// A readiness / liveness / startup probe.
public struct Probe: Codable, Sendable, Hashable {
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var exec: ExecAction?
    public var initialDelaySeconds: Int?
    public var periodSeconds: Int?
    public var timeoutSeconds: Int?
    public var successThreshold: Int?
    public var failureThreshold: Int?

    public init(httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil, exec: ExecAction? = nil, initialDelaySeconds: Int? = nil, periodSeconds: Int? = nil, timeoutSeconds: Int? = nil, successThreshold: Int? = nil, failureThreshold: Int? = nil) {
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.exec = exec
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

/// An HTTP GET probe.
public struct HTTPGetAction: Codable, Sendable, Hashable {
    public var path: String?
    public var port: IntOrString
    public var scheme: String?

    public init(path: String? = nil, port: IntOrString, scheme: String? = nil) {
        self.path = path
        self.port = port
        self.scheme = scheme
    }
}

/// A TCP connect probe.
public struct TCPSocketAction: Codable, Sendable, Hashable {
    public var port: IntOrString

    public init(port: IntOrString) {
        self.port = port
    }
}

/// A command probe.
public struct ExecAction: Codable, Sendable, Hashable {
    public var command: [String]?

    public init(command: [String]? = nil) {
        self.command = command
    }
}

/// A pod volume: a PVC, ConfigMap, Secret or emptyDir.
public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var persistentVolumeClaim: PVCVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var secret: SecretVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?

    public init(name: String, persistentVolumeClaim: PVCVolumeSource? = nil, configMap: ConfigMapVolumeSource? = nil, secret: SecretVolumeSource? = nil, emptyDir: EmptyDirVolumeSource? = nil) {
        self.name = name
        self.persistentVolumeClaim = persistentVolumeClaim
        self.configMap = configMap
        self.secret = secret
        self.emptyDir = emptyDir
    }
}

/// A volume backed by a PersistentVolumeClaim.
public struct PVCVolumeSource: Codable, Sendable, Hashable {
    public var claimName: String
    public var readOnly: Bool?

    public init(claimName: String, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}

/// A volume made of a ConfigMap's keys.
public struct ConfigMapVolumeSource: Codable, Sendable, Hashable {
    public var name: String
    public var defaultMode: Int?
    public var optional: Bool?

    public init(name: String, defaultMode: Int? = nil, optional: Bool? = nil) {
        self.name = name
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// A volume made of a Secret's keys.
public struct SecretVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String
    public var defaultMode: Int?
    public var optional: Bool?

    public init(secretName: String, defaultMode: Int? = nil, optional: Bool? = nil) {
        self.secretName = secretName
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// A scratch volume.
public struct EmptyDirVolumeSource: Codable, Sendable, Hashable {
    public var medium: String?
    public var sizeLimit: String?

    public init(medium: String? = nil, sizeLimit: String? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// Lets a pod run on a tainted node.
public struct Toleration: Codable, Sendable, Hashable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init(key: String? = nil, `operator`: String? = nil, value: String? = nil, effect: String? = nil, tolerationSeconds: Int64? = nil) {
        self.key = key
        self.`operator` = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

/// What the kubelet reports about a pod.
public struct PodStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var podIP: String?
    public var hostIP: String?
    public var conditions: [PodCondition]?
    public var containerStatuses: [ContainerStatus]?
    public var startTime: Date?
    public var reason: String?
    public var message: String?

    public init(phase: String? = nil, podIP: String? = nil, hostIP: String? = nil, conditions: [PodCondition]? = nil, containerStatuses: [ContainerStatus]? = nil, startTime: Date? = nil, reason: String? = nil, message: String? = nil) {
        self.phase = phase
        self.podIP = podIP
        self.hostIP = hostIP
        self.conditions = conditions
        self.containerStatuses = containerStatuses
        self.startTime = startTime
        self.reason = reason
        self.message = message
    }
}

/// A pod condition (`Ready`, `PodScheduled`, …).
public struct PodCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: Date?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: Date? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// One container's state as the kubelet sees it.
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int
    public var image: String?
    public var containerID: String?
    public var started: Bool?
    public var state: JSONValue?

    public init(name: String, ready: Bool = false, restartCount: Int = 0, image: String? = nil, containerID: String? = nil, started: Bool? = nil, state: JSONValue? = nil) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.containerID = containerID
        self.started = started
        self.state = state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        image = try container.decodeIfPresent(String.self, forKey: .image)
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
        started = try container.decodeIfPresent(Bool.self, forKey: .started)
        state = try container.decodeIfPresent(JSONValue.self, forKey: .state)
    }
}
