import Foundation
import Logging
import VigilKube

/// Leader election with a coordination.k8s.io/v1 Lease, as client-go does it: the holder
/// renews every `retryPeriod`; another candidate takes over only once `renewTime +
/// leaseDuration` has passed; every write is conditional on the Lease's resourceVersion, so
/// two candidates can never both succeed.
public struct LeaderElection: Sendable {
    public let client: KubeClient
    public let namespace: String
    public let name: String
    public let identity: String
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration
    let logger: Logger

    public init(client: KubeClient, namespace: String, name: String = "vigil-operator", identity: String,
                leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                retryPeriod: Duration = .seconds(2), logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.logger = logger
    }

    var durationSeconds: Int { max(1, Int(leaseDuration.components.seconds)) }

    /// One attempt: true if this candidate holds the Lease afterwards.
    public func tryAcquireOrRenew(now: Date = Date()) async -> Bool {
        do {
            guard var lease = try await client.getIfPresent(Lease.self, name: name, namespace: namespace) else {
                let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: LeaseSpec(
                    holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: MicroTime(now),
                    renewTime: MicroTime(now), leaseTransitions: 0))
                _ = try await client.create(lease)
                logger.info("leader election: acquired a new lease \(namespace)/\(name)")
                return true
            }
            var spec = lease.spec ?? LeaseSpec()
            if spec.holderIdentity == identity {
                spec.renewTime = MicroTime(now)
            } else {
                let duration = TimeInterval(spec.leaseDurationSeconds ?? durationSeconds)
                if let renewed = spec.renewTime?.date, renewed.addingTimeInterval(duration) > now, spec.holderIdentity?.isEmpty == false {
                    return false
                }
                logger.info("leader election: taking over from \(spec.holderIdentity ?? "nobody")")
                spec = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: MicroTime(now),
                                 renewTime: MicroTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1)
            }
            lease.spec = spec
            _ = try await client.update(lease)
            return true
        } catch {
            if error.kind != .conflict && error.kind != .alreadyExists {
                logger.warning("leader election: \(error)")
            }
            return false
        }
    }

    /// Gives the Lease up (on shutdown) so a standby takes over at once.
    public func release() async {
        guard var lease = try? await client.getIfPresent(Lease.self, name: name, namespace: namespace),
              lease.spec?.holderIdentity == identity else { return }
        lease.spec?.holderIdentity = ""
        lease.spec?.renewTime = nil
        _ = try? await client.update(lease)
    }

    /// Waits until this candidate leads.
    public func acquire() async throws {
        while !(await tryAcquireOrRenew()) {
            try await Task.sleep(for: retryPeriod)
        }
    }

    /// Renews until a renewal has failed for `renewDeadline`, then returns (leadership lost).
    public func holdUntilLost() async {
        var lastRenewal = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: retryPeriod)
            if await tryAcquireOrRenew() {
                lastRenewal = .now
            } else if ContinuousClock.now - lastRenewal > renewDeadline {
                logger.error("leader election: lost the lease \(namespace)/\(name)")
                return
            }
        }
    }
}
