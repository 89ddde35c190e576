/// Pod IPs on loopback. An address is sticky per (namespace, `spec.hostname` or pod name): a
/// re-created pod of the same instance gets its old address back, because the operator may
/// address replicas by IP. Bookkeeping only; callers serialise access.
struct PodIPAllocator: Sendable {
    enum Grant: Equatable {
        case address(String)
        /// The sticky address is still held by a pod whose processes are terminating: wait,
        /// as its ports are still bound.
        case wait(heldBy: String)
        case exhausted
    }

    let prefix: String
    private var sticky: [String: Int] = [:]
    /// host number → (pod uid holding it, whether that pod is terminating)
    private var holders: [Int: (uid: String, terminating: Bool)] = [:]
    private var next = 2

    init(prefix: String) { self.prefix = prefix }

    mutating func allocate(identity: String, uid: String) -> Grant {
        if let host = sticky[identity] {
            guard let holder = holders[host], holder.uid != uid else {
                holders[host] = (uid, false)
                return .address(prefix + String(host))
            }
            if holder.terminating { return .wait(heldBy: holder.uid) }
            // Two live pods with one hostname (replicas > 1): the second gets its own address.
            guard let fresh = fresh() else { return .exhausted }
            holders[fresh] = (uid, false)
            return .address(prefix + String(fresh))
        }
        guard let fresh = fresh() else { return .exhausted }
        sticky[identity] = fresh
        holders[fresh] = (uid, false)
        return .address(prefix + String(fresh))
    }

    mutating func markTerminating(uid: String) {
        for (host, holder) in holders where holder.uid == uid { holders[host] = (uid, true) }
    }

    mutating func release(uid: String) {
        for (host, holder) in holders where holder.uid == uid { holders[host] = nil }
    }

    /// An address never handed out (sticky ones stay reserved for their identity).
    private mutating func fresh() -> Int? {
        let reserved = Set(sticky.values).union(holders.keys)
        while next <= 254 {
            defer { next += 1 }
            if !reserved.contains(next) { return next }
        }
        return nil
    }
}
