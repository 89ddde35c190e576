/// How the operator runs: what it puts in pods and how it reaches them.
public struct OperatorOptions: Sendable, Hashable {
    /// How the controller and replicas address an instance.
    public enum Addressing: String, Sendable, Hashable {
        /// `{instance}.{cluster}-headless.{namespace}.svc`: stable across pod restarts (production).
        case dns
        /// The pod IP from pod status (clusters without DNS, such as the test kubelet).
        case podIP
    }

    /// The image with `vigil` in it, for the agent container (unless the spec names one).
    public var agentImage: String
    /// The agents' controller URL; `{namespace}` and `{cluster}` are filled in.
    public var controllerURL: String
    public var addressing: Addressing
    /// This operator's identity in the leader-election Lease.
    public var identity: String

    public init(agentImage: String = "ghcr.io/vigil-dev/vigil:\(OperatorOptions.version)",
                controllerURL: String = "http://vigil-operator.vigil-system.svc:8082/clusters/{namespace}/{cluster}",
                addressing: Addressing = .dns, identity: String = "vigil-operator") {
        self.agentImage = agentImage
        self.controllerURL = controllerURL
        self.addressing = addressing
        self.identity = identity
    }

    public static let version = "0.1.0"

    public func controllerURL(namespace: String, cluster: String) -> String {
        controllerURL.replacingOccurrences(of: "{namespace}", with: namespace).replacingOccurrences(of: "{cluster}", with: cluster)
    }
}
