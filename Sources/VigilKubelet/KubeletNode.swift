import VigilKube

/// A node the test kubelet registers and serves (its pods run as local processes).
public struct KubeletNode: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var taints: [Taint]

    public init(name: String, labels: [String: String] = [:], taints: [Taint] = []) {
        self.name = name
        self.labels = labels
        self.taints = taints
    }

    /// A node in `zone` (`topology.kubernetes.io/zone`), as site-aware tests want.
    public static func zone(_ name: String, _ zone: String) -> KubeletNode {
        KubeletNode(name: name, labels: ["topology.kubernetes.io/zone": zone, "kubernetes.io/hostname": name])
    }
}
