import ArgumentParser
import Foundation
import Logging
import VigilKube
import VigilLocal
import VigilObserve
import VigilOperator

/// `vigil operator`: the Kubernetes operator (what deploy/vigil.yaml runs).
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Run the Kubernetes operator: reconcile MySQLClusters, fail over, move Services and DNS.")

    @OptionGroup var kube: KubeOptions

    @Flag(help: "Watch MySQLClusters in every namespace (default: only --namespace).")
    var allNamespaces = false

    @Option(help: "This replica's identity in the leader-election Lease (default: $POD_NAME, else the host name).")
    var identity: String?

    @Option(help: "Namespace of the leader-election Lease (default: $POD_NAMESPACE, else vigil-system).")
    var leaseNamespace: String?

    @Flag(help: "Run without leader election (a single operator replica only).")
    var noLeaderElection = false

    @Option(help: "How instances are addressed: dns (the headless Service's pod names) or pod-ip.")
    var addressing: String = "dns"

    @Option(help: "The agents' controller URL ({namespace} and {cluster} are filled in).")
    var controllerURL: String = OperatorOptions().controllerURL

    @Option(help: "The image with vigil in it, for the agent containers.")
    var agentImage: String = OperatorOptions().agentImage

    @Option(help: "Address the HTTP surfaces listen on.")
    var listenHost: String = "0.0.0.0"

    @Option(help: "Port of /metrics (Prometheus).")
    var metricsPort: Int = 8080

    @Option(help: "Port of /healthz and /readyz.")
    var probesPort: Int = 8081

    @Option(help: "Port of /status, /ws/status, the dashboard and the agents' heartbeats.")
    var statusPort: Int = 8082

    func validate() throws {
        guard ["dns", "pod-ip"].contains(addressing) else { throw ValidationError("--addressing must be dns or pod-ip") }
        for port in [metricsPort, probesPort, statusPort] where !(0...65535).contains(port) {
            throw ValidationError("port \(port) is not 0…65535")
        }
    }

    func run() async throws {
        var logger = Logger(label: "vigil.operator")
        logger.logLevel = .info
        let environment = ProcessInfo.processInfo.environment
        let identity = self.identity ?? environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let options = OperatorOptions(agentImage: agentImage, controllerURL: controllerURL,
                                      addressing: addressing == "dns" ? .dns : .podIP, identity: identity)
        let client: KubeClient
        let namespace: String?
        do {
            let config = try kube.config()
            namespace = allNamespaces ? nil : (kube.namespace ?? config.namespace)
            client = try KubeClient(config: config, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("vigil operator: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let election = noLeaderElection ? nil : LeaderElection(
            client: client, namespace: leaseNamespace ?? environment["POD_NAMESPACE"] ?? Manifests.namespace,
            identity: identity, logger: logger)
        let op = Operator(client: client, options: options, namespace: namespace, election: election, logger: logger)
        // Ports given twice share one listener.
        var byPort: [Int: Set<ObserveSurface>] = [:]
        for (port, surface) in [(metricsPort, ObserveSurface.metrics), (probesPort, .probes), (statusPort, .status)] {
            byPort[port, default: []].insert(surface)
        }
        let listeners = byPort.keys.sorted().map { ObserveServer.Listener(host: listenHost, port: $0, surfaces: byPort[$0]!) }
        let server: OperatorServer
        do {
            server = try await OperatorServer.start(listeners: listeners, operator: op, observability: op.observability, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("vigil operator: \(error)\n".utf8))
            try? await client.shutdown()
            throw ExitCode(1)
        }
        let task = Task { try await op.run() }
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { task.cancel() }
        defer { signals.cancel() }
        let outcome = await task.result
        await server.stop()
        try? await client.shutdown()
        if case .failure(let error) = outcome, !(error is CancellationError) {
            FileHandle.standardError.write(Data("vigil operator: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
