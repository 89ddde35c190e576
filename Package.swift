// swift-tools-version:6.0
// Vigil: highly-available MySQL / MariaDB. One executable (`vigil`), libraries split by
// responsibility (see ../shared/DESIGN.md): a pure decision core with no IO, our own MySQL
// wire client, engine operations, and (later) the Kubernetes client, agent, controller and
// local runtime.
import PackageDescription

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilMySQL", targets: ["VigilMySQL"]),
        .library(name: "VigilEngine", targets: ["VigilEngine"]),
        .library(name: "VigilRouter", targets: ["VigilRouter"]),
        .library(name: "VigilKube", targets: ["VigilKube"]),
        .library(name: "VigilKubeFake", targets: ["VigilKubeFake"]),
        .library(name: "VigilKubelet", targets: ["VigilKubelet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // Pure decision core: GTID math, observations, candidate ranking. No IO, no clock.
        .target(name: "VigilCore"),
        // eventfd for the MySQL client's direct transport (not in Swift's Glibc module).
        .target(name: "CVigilLinux"),
        // Native MySQL / MariaDB wire client: sans-IO codecs and state machines, driven over NIO
        // (any TLS mode) or its own poll loop (plaintext, lowest latency).
        .target(
            name: "VigilMySQL",
            dependencies: [
                "CVigilLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Engine operations: observe and steer replication per flavor, over VigilMySQL.
        .target(
            name: "VigilEngine",
            dependencies: ["VigilCore", "VigilMySQL", .product(name: "Logging", package: "swift-log")]
        ),
        // The built-in router: a loopback TCP proxy whose targets come from the platform layer.
        .target(
            name: "VigilRouter",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // A minimal HTTP/1.1 client over NIO for Vigil's own processes (heartbeats, pings, CLI).
        .target(
            name: "VigilHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The agent beside every instance: role probe, sidecar API, exporter, heartbeats,
        // peer pings and self-fencing (VigilCore's rules).
        .target(
            name: "VigilAgent",
            dependencies: [
                "VigilCore", "VigilMySQL", "VigilEngine", "VigilHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Our own Kubernetes client: kubeconfig / in-cluster config, typed resources, verbs,
        // server-side apply, watch and a list-then-watch informer helper.
        .target(
            name: "VigilKube",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // An in-process fake Kubernetes API server with the real semantics (resourceVersion,
        // watch, selectors, status subresource, apply, GC, finalizers) for tests.
        .target(
            name: "VigilKubeFake",
            dependencies: [
                "VigilKube",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test support: a test kubelet (nodes, Deployment controller, scheduler, Endpoints
        // controller, pods as real local processes on 127.x.y.z) for the fake API server.
        .target(
            name: "VigilKubelet",
            dependencies: [
                "VigilKube", "VigilTestSupport", "VigilHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `vigil verify`'s checker: a recorded history in, a report out (lost acknowledged writes,
        // split brain, RTO per fault, …). Pure: no IO, no clock.
        .target(name: "VigilVerify", dependencies: ["VigilCore"]),
        // Test support: real mariadbd processes on loopback with temp data dirs.
        .target(
            name: "VigilTestSupport",
            dependencies: ["VigilMySQL", "VigilPOSIX",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // POSIX plumbing shared by the local runtime and the test fixture: spawning, loopback ports.
        .target(name: "VigilPOSIX"),
        // The controller's executor, shared by `vigil local` and the operator: performs the
        // decision core's instance actions wherever the instances live (InstanceDirectory).
        .target(
            name: "VigilControl",
            dependencies: ["VigilCore", "VigilMySQL", "VigilEngine", "VigilHTTP", "VigilAgent",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The Kubernetes operator: MySQLCluster CRD, plan, reconciler, manifests.
        .target(
            name: "VigilOperator",
            dependencies: ["VigilCore", "VigilEngine", "VigilControl", "VigilKube", "VigilAgent", "VigilObserve",
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The controller's observability surfaces, shared by `vigil local` and the operator:
        // Prometheus metrics, the status broadcaster (WebSocket fan-out that never stalls its
        // publisher), health/readiness, the offline dashboard, and mounting on one or three ports.
        .target(
            name: "VigilObserve",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `vigil local`: a whole group on one host (supervisor, controller loop, router).
        .target(
            name: "VigilLocal",
            dependencies: ["VigilCore", "VigilMySQL", "VigilEngine", "VigilRouter", "VigilHTTP", "VigilAgent", "VigilControl", "VigilPOSIX",
                           "VigilObserve",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilCore", "VigilMySQL", "VigilLocal", "VigilRouter", "VigilAgent", "VigilVerify", "VigilOperator", "VigilObserve",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (bench/): the Swift side of the client comparison with libmariadb.
        .executableTarget(
            name: "vigil-bench",
            dependencies: ["VigilMySQL", .product(name: "NIOPosix", package: "swift-nio")],
            path: "bench/Sources/vigil-bench"
        ),
        // Benchmarks (bench/failover.sh): kill -9 failover and switchover timings of a local group.
        .executableTarget(
            name: "vigil-failover-bench",
            dependencies: ["VigilMySQL"],
            path: "bench/Sources/vigil-failover-bench"
        ),
        // Benchmarks (bench/observe.sh): probe-round timing with and without 100 status WebSocket clients.
        .executableTarget(
            name: "vigil-observe-bench",
            dependencies: ["VigilMySQL", "VigilHTTP",
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                           .product(name: "Logging", package: "swift-log")],
            path: "bench/Sources/vigil-observe-bench"
        ),
        .testTarget(
            name: "VigilCoreTests",
            dependencies: ["VigilCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "VigilMySQLTests",
            dependencies: [
                "VigilMySQL", "VigilTestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "VigilLocalTests",
            dependencies: ["VigilLocal", "VigilMySQL", "VigilTestSupport", "VigilPOSIX", "VigilObserve", "VigilHTTP",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")]
        ),
        .testTarget(
            name: "VigilObserveTests",
            dependencies: ["VigilObserve", "VigilTestSupport", "VigilHTTP",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")]
        ),
        .testTarget(
            name: "VigilAgentTests",
            dependencies: [
                "VigilAgent", "VigilHTTP", "VigilCore", "VigilMySQL", "VigilEngine", "VigilTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "VigilOperatorEndToEndTests",
            dependencies: ["VigilOperator", "VigilKube", "VigilKubeFake", "VigilKubelet", "VigilTestSupport", "VigilPOSIX", "VigilMySQL",
                           "VigilHTTP", "VigilObserve", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "VigilOperatorTests",
            dependencies: ["VigilOperator", "VigilCore", "VigilKube", "VigilKubeFake",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "VigilVerifyTests",
            dependencies: ["VigilVerify", "VigilCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "VigilEngineTests",
            dependencies: ["VigilEngine", "VigilTestSupport"]
        ),
        .testTarget(
            name: "VigilKubeTests",
            dependencies: [
                "VigilKube", "VigilKubeFake",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "VigilKubeletTests",
            dependencies: [
                "VigilKubelet", "VigilKube", "VigilKubeFake", "VigilTestSupport", "VigilOperator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "VigilRouterTests",
            dependencies: [
                "VigilRouter",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)
