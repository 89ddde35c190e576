import VigilKube

/// Kubernetes' taint/toleration matching (k8s.io/api/core/v1 `Toleration.ToleratesTaint`).
enum Tolerations {
    static func tolerates(_ toleration: Toleration, _ taint: Taint) -> Bool {
        if let effect = toleration.effect, !effect.isEmpty, effect != taint.effect { return false }
        let key = toleration.key ?? ""
        switch toleration.operator ?? "Equal" {
        case "Exists":
            return key.isEmpty || key == taint.key
        default:  // "Equal"
            return key == taint.key && (toleration.value ?? "") == (taint.value ?? "")
        }
    }

    /// The first toleration of `tolerations` that matches `taint`, if any.
    static func matching(_ tolerations: [Toleration], _ taint: Taint) -> Toleration? {
        tolerations.first { tolerates($0, taint) }
    }

    /// Taints that keep a pod off a node: NoSchedule and NoExecute ones it does not tolerate
    /// (PreferNoSchedule is only a preference).
    static func blocksScheduling(_ taints: [Taint], _ tolerations: [Toleration]) -> Bool {
        taints.contains { taint in
            (taint.effect == "NoSchedule" || taint.effect == "NoExecute") && matching(tolerations, taint) == nil
        }
    }
}
