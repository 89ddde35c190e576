import Logging
import NIOConcurrencyHelpers
import VigilKube
import VigilTestSupport

/// What the parts of the test kubelet share: the client, the caches, the options.
final class KubeletContext: Sendable {
    let client: KubeClient
    let options: TestKubeletOptions
    let workDirectory: String
    let logger: Logger
    /// The nodes this kubelet serves.
    let nodes: [KubeletNode]
    /// Every pod's hostIP: all nodes share the host's loopback.
    let hostIP = "127.0.0.1"

    let pods = Informer<Pod>()
    let deployments = Informer<Deployment>()
    let nodeObjects = Informer<Node>()
    let services = Informer<Service>()
    let endpoints = Informer<Endpoints>()
    let configMaps = Informer<ConfigMap>()
    let secrets = Informer<Secret>()
    let claims = Informer<PersistentVolumeClaim>()

    let allocator: NIOLockedValueBox<PodIPAllocator>
    let failedNodes = NIOLockedValueBox<Set<String>>([])
    /// Fired whenever anything changes that a pod runtime's status depends on.
    let podSignal = ChangeSignal()

    init(client: KubeClient, options: TestKubeletOptions, workDirectory: String, logger: Logger, nodes: [KubeletNode]) {
        self.client = client
        self.options = options
        self.workDirectory = workDirectory
        self.logger = logger
        self.nodes = nodes
        allocator = NIOLockedValueBox(PodIPAllocator(prefix: options.ipPrefix))
    }

    var nodeNames: Set<String> { Set(nodes.map(\.name)) }

    func isFailed(_ node: String) -> Bool { failedNodes.withLockedValue { $0.contains(node) } }

    var synced: Bool {
        pods.synced && deployments.synced && nodeObjects.synced && services.synced && endpoints.synced
            && configMaps.synced && secrets.synced && claims.synced
    }

    func configMap(_ namespace: String, _ name: String) -> ConfigMap? { configMaps.get(namespace: namespace, name: name) }

    func secret(_ namespace: String, _ name: String) -> Secret? { secrets.get(namespace: namespace, name: name) }
}
