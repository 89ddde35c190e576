import AsyncHTTPClient
import NIOCore
import NIOPosix
import VigilHTTP
import VigilKube

/// Runs a container's probe against the pod IP, as the kubelet does: `tcpSocket` succeeds
/// when a connection opens; `httpGet` when the answer's status is 200–399. `exec` probes are
/// not supported (there is no container to exec into) and count as success.
enum ReadinessProbe {
    static func port(_ value: IntOrString, in container: Container) -> Int? {
        switch value {
        case .int(let port): port
        case .string(let name): container.ports?.first { $0.name == name }?.containerPort ?? Int(name)
        }
    }

    static func run(_ probe: Probe, container: Container, podIP: String, timeout: Duration) async -> Bool {
        if let tcp = probe.tcpSocket {
            guard let port = port(tcp.port, in: container) else { return false }
            return await connects(host: podIP, port: port, timeout: timeout)
        }
        if let http = probe.httpGet {
            guard let port = port(http.port, in: container) else { return false }
            var path = http.path ?? "/"
            if !path.hasPrefix("/") { path = "/" + path }
            let scheme = (http.scheme ?? "HTTP").lowercased()
            guard scheme == "http" else { return false }
            let request = HTTPClientRequest(url: "http://\(podIP):\(port)\(path)")
            do {
                let response = try await AsyncHTTPClient.HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
                _ = try? await response.body.collect(upTo: 1 << 20)
                return (200..<400).contains(Int(response.status.code))
            } catch {
                return false
            }
        }
        return true
    }

    static func connects(host: String, port: Int, timeout: Duration) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(timeout.nanoseconds))
        do {
            // A pod IP is a literal: no getaddrinfo job per probe (see connect(hostOrLiteral:)).
            let channel = try await bootstrap.connect(hostOrLiteral: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
