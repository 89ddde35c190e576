import NIOConcurrencyHelpers
import VigilKube

/// Keeps one `Endpoints` object per Service with a selector, named like the Service: ready
/// pods' IPs in `addresses`, the others (with an IP) in `notReadyAddresses` (all in
/// `addresses` with `publishNotReadyAddresses`), ports from the Service's target ports. One
/// subset (the real controller splits subsets by port set). Endpoints it wrote are deleted
/// when their Service goes.
final class EndpointsController: Sendable {
    let context: KubeletContext
    private let managed = NIOLockedValueBox<Set<String>>([])

    init(context: KubeletContext) { self.context = context }

    func reconcile() async {
        let pods = context.pods.items
        var wanted: Set<String> = []
        for service in context.services.items {
            guard let selector = service.spec?.selector, !selector.isEmpty else { continue }
            let namespace = service.metadata.namespace ?? "default"
            wanted.insert("\(namespace)/\(service.name)")
            let subsets = Self.subsets(service, pods: pods.filter { pod in
                pod.metadata.namespace == namespace && pod.metadata.deletionTimestamp == nil
                    && selector.allSatisfy { pod.metadata.labels?[$0.key] == $0.value }
            })
            await write(service, namespace: namespace, subsets: subsets)
        }
        let gone = managed.withLockedValue { $0.subtracting(wanted) }
        for key in gone {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            _ = try? await context.client.delete(Endpoints.self, name: parts[1], namespace: parts[0])
            context.endpoints.remove(namespace: parts[0], name: parts[1])
            _ = managed.withLockedValue { $0.remove(key) }
        }
    }

    static func subsets(_ service: Service, pods: [Pod]) -> [EndpointSubset]? {
        var ready: [EndpointAddress] = []
        var notReady: [EndpointAddress] = []
        for pod in pods {
            guard let ip = pod.status?.podIP, !ip.isEmpty else { continue }
            let hostname = pod.spec?.subdomain == service.name ? pod.spec?.hostname : nil
            let address = EndpointAddress(
                ip: ip, hostname: hostname, nodeName: pod.spec?.nodeName,
                targetRef: ObjectReference(kind: "Pod", namespace: pod.metadata.namespace, name: pod.name,
                                           uid: pod.metadata.uid))
            let isReady = pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
            if isReady || service.spec?.publishNotReadyAddresses == true { ready.append(address) } else { notReady.append(address) }
        }
        guard !ready.isEmpty || !notReady.isEmpty else { return nil }
        let ports = (service.spec?.ports ?? []).map { port -> EndpointPort in
            let target: Int
            switch port.targetPort {
            case .int(let number): target = number
            case .string(let name):
                target = pods.lazy.compactMap { pod in
                    pod.spec?.containers.lazy.compactMap { $0.ports?.first { $0.name == name }?.containerPort }.first
                }.first ?? port.port
            case nil: target = port.port
            }
            return EndpointPort(name: port.name, port: target, protocol: port.protocol ?? "TCP")
        }
        let order: (EndpointAddress, EndpointAddress) -> Bool = { $0.ip < $1.ip }
        return [EndpointSubset(addresses: ready.isEmpty ? nil : ready.sorted(by: order),
                               notReadyAddresses: notReady.isEmpty ? nil : notReady.sorted(by: order),
                               ports: ports.isEmpty ? nil : ports)]
    }

    private func write(_ service: Service, namespace: String, subsets: [EndpointSubset]?) async {
        let key = "\(namespace)/\(service.name)"
        do {
            if var existing = context.endpoints.get(namespace: namespace, name: service.name) {
                managed.withLockedValue { _ = $0.insert(key) }
                guard existing.subsets != subsets else { return }
                existing.subsets = subsets
                context.endpoints.upsert(try await context.client.update(existing))
            } else {
                let endpoints = Endpoints(metadata: ObjectMeta(name: service.name, namespace: namespace,
                                                               labels: service.metadata.labels), subsets: subsets)
                managed.withLockedValue { _ = $0.insert(key) }
                context.endpoints.upsert(try await context.client.create(endpoints))
            }
        } catch {
            // A conflict means our cache is behind: the next pass retries with the new version.
            context.logger.debug("endpoints \(key): \(error)")
        }
    }
}
