import Foundation
import Logging
import VigilAgent
import VigilCore
import VigilKube

/// The operator process: wins leader election, then watches MySQLClusters (list-then-watch)
/// and keeps one `ClusterReconciler` per cluster, reconciling on every change and every
/// `resyncInterval`. Serves agents' heartbeats and status while leading. Returns when
/// leadership is lost or the task is cancelled (the pod restarts and stands by).
public actor Operator {
    let client: KubeClient
    let options: OperatorOptions
    /// nil: every namespace.
    let namespace: String?
    let election: LeaderElection?
    let logger: Logger
    public var resyncInterval: Duration = .seconds(2)
    var reconcilers: [String: ClusterReconciler] = [:]
    var clusters: [String: MySQLCluster] = [:]
    public private(set) var leading = false
    public private(set) var synced = false
    public nonisolated let observability: OperatorObservability

    public init(client: KubeClient, options: OperatorOptions, namespace: String?, election: LeaderElection?, logger: Logger,
                observability: OperatorObservability = OperatorObservability()) {
        self.observability = observability
        self.client = client
        self.options = options
        self.namespace = namespace
        self.election = election
        self.logger = logger
    }

    public func setResyncInterval(_ interval: Duration) { resyncInterval = interval }

    public func run() async throws {
        if let election {
            logger.info("waiting to lead (lease \(election.namespace)/\(election.name), identity \(election.identity))")
            try await election.acquire()
        }
        leading = true
        observability.readiness.setLeading(true)
        logger.info("leading: reconciling MySQLClusters in \(namespace ?? "all namespaces")")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchClusters() }
            group.addTask { await self.resyncLoop() }
            if let election { group.addTask { await election.holdUntilLost() } }
            // Any of them ending (leadership lost, cancellation) ends the term.
            _ = await group.next()
            group.cancelAll()
        }
        leading = false
        observability.readiness.setLeading(false)
        for (_, reconciler) in reconcilers { await reconciler.stop() }
        reconcilers = [:]
        if let election { await election.release() }
    }

    func watchClusters() async {
        let events = client.listWatch(MySQLCluster.self, namespace: namespace, allNamespaces: namespace == nil)
        do {
            for try await event in events {
                switch event {
                case .listed(let items, _):
                    let names = Set(items.map(Self.key))
                    for key in clusters.keys where !names.contains(key) { await forget(key) }
                    for item in items { clusters[Self.key(item)] = item }
                    synced = true
                    observability.readiness.setSynced(true)
                    for item in items { await reconciler(for: item).reconcile(item) }
                case .added(let item), .modified(let item):
                    clusters[Self.key(item)] = item
                    await reconciler(for: item).reconcile(item)
                case .deleted(let item):
                    await forget(Self.key(item))
                }
            }
        } catch {
            logger.error("watching MySQLClusters failed: \(error)")
        }
    }

    /// Reconciles every known cluster again (status refresh, drift repair, retries).
    func resyncLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: resyncInterval)
            for (key, cluster) in clusters {
                guard let reconciler = reconcilers[key] else { continue }
                let read: MySQLCluster??
                do { read = .some(try await client.getIfPresent(MySQLCluster.self, name: cluster.name, namespace: cluster.namespace)) } catch { read = nil }
                if case .some(.none) = read { await forget(key); continue }
                let fresh = (read ?? cluster) ?? cluster
                clusters[key] = fresh
                await reconciler.reconcile(fresh)
            }
        }
    }

    func forget(_ key: String) async {
        clusters[key] = nil
        if let reconciler = reconcilers.removeValue(forKey: key) { await reconciler.stop() }
        observability.remove(group: key)
    }

    func reconciler(for cluster: MySQLCluster) -> ClusterReconciler {
        let key = Self.key(cluster)
        if let existing = reconcilers[key] { return existing }
        let created = ClusterReconciler(client: client, namespace: cluster.namespace ?? "default", name: cluster.name,
                                        options: options, observability: observability, logger: logger)
        reconcilers[key] = created
        return created
    }

    static func key(_ cluster: MySQLCluster) -> String { "\(cluster.namespace ?? "default")/\(cluster.name)" }

    // MARK: agents

    /// An authenticated agent heartbeat for `namespace/name`; nil when the cluster is unknown
    /// here or the token is wrong (answered 401/404 by the server).
    public func heartbeat(namespace: String, name: String, authorization: String?, report: AgentReport) async -> HeartbeatAnswer {
        guard let reconciler = reconcilers["\(namespace)/\(name)"] else { return .unknownCluster }
        guard let token = await reconciler.agentToken, AgentAPI.isAuthorized(authorization: authorization, token: token) else {
            return .unauthorized
        }
        guard let word = await reconciler.heartbeat(report) else { return .notRunning }
        return .word(word, token: token)
    }
}

public enum HeartbeatAnswer: Sendable {
    case word(ControllerWord, token: String)
    case unauthorized
    case unknownCluster
    case notRunning
}
