/// Kubernetes naming rules and Vigil's object names.
public enum KubeNames {
    /// RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, ≤ 63.
    public static func isDNSLabel(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let first = s.first, let last = s.last else { return false }
        let ok = s.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return ok && first != "-" && last != "-"
    }

    /// RFC 1123 subdomain: dot-separated labels, ≤ 253.
    public static func isDNSName(_ s: String) -> Bool {
        let trimmed = s.hasSuffix(".") ? String(s.dropLast()) : s
        guard !trimmed.isEmpty, trimmed.count <= 253 else { return false }
        return trimmed.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// A plain quantity: digits, optional fraction, optional binary/decimal suffix.
    public static func isQuantity(_ s: String) -> Bool {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E", ""]
        for suffix in suffixes where s.hasSuffix(suffix) {
            let number = s.dropLast(suffix.count)
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            if !number.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return true }
        }
        return false
    }

    /// Each pod's stable name through the headless Service.
    public static func instanceHost(instance: String, cluster: String, namespace: String) -> String {
        "\(instance).\(cluster)-headless.\(namespace).svc"
    }

    public static func primaryService(_ cluster: String) -> String { "\(cluster)-primary" }
    public static func replicasService(_ cluster: String) -> String { "\(cluster)-replicas" }
    public static func headlessService(_ cluster: String) -> String { "\(cluster)-headless" }
    public static func configMap(_ cluster: String) -> String { "\(cluster)-config" }
    /// `vigil_admin` → `{cluster}-account-vigil-admin` (object names are DNS subdomains).
    public static func accountSecret(_ cluster: String, _ account: String) -> String {
        "\(cluster)-account-\(account.replacingOccurrences(of: "_", with: "-"))"
    }
    public static func agentSecret(_ cluster: String) -> String { "\(cluster)-agent" }
    public static func pvc(_ instance: String) -> String { "data-\(instance)" }
    public static func pdb(_ cluster: String) -> String { "\(cluster)-pdb" }
    public static func dnsEndpoint(_ cluster: String) -> String { "\(cluster)-primary" }
    public static let finalizer = "vigil.dev/cleanup"
}
