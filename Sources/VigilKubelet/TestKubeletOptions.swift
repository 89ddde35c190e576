import Foundation
import VigilTestSupport

/// Knobs of the test kubelet. The defaults keep tests fast: Kubernetes' real timings
/// (10 s restart backoff, 30–60 s grace periods, probe periods of seconds) are capped.
public struct TestKubeletOptions: Sendable {
    /// The `vigil` executable run for `vigil` images (default: the built one, see `VigilBinary`).
    public var vigilBinary: String
    /// Pod IPs are `<ipPrefix>N` (N = 2…254). Every address of 127.0.0.0/8 is loopback on
    /// Linux. The default is a random `127.A.B.` (A ≥ 16) rather than `127.0.0.`: pods bind fixed
    /// ports (3306, 8080, …), so two kubelets of concurrently running test processes on this
    /// machine must not share a prefix, and `127.0.0.1` belongs to everyone's fixtures.
    public var ipPrefix: String
    /// Where pod directories and PVC contents live (default: a fresh directory under the
    /// fixture's per-process temp root, removed by `stop()` and after a crash).
    public var workDirectory: String?
    /// Upper bound on a pod's `terminationGracePeriodSeconds` before SIGKILL.
    public var maxGracePeriod: Duration
    /// A container that exits is restarted after `restartBackoff`, doubling per consecutive
    /// crash up to `maxRestartBackoff` (Kubernetes: 10 s doubling to 5 min).
    public var restartBackoff: Duration
    public var maxRestartBackoff: Duration
    /// Upper bound on a readiness probe's `periodSeconds`.
    public var maxProbePeriod: Duration
    /// How often control loops resync even without changes (retries failed writes).
    public var resyncInterval: Duration
    /// Added to every emulated `mariadbd` (and `mariadb-install-db`) command line: what this
    /// host needs that a real node would not (no native AIO in containers) and small buffers.
    public var mariaDBHostArguments: [String]

    public init(vigilBinary: String = VigilBinary.path, ipPrefix: String? = nil, workDirectory: String? = nil,
                maxGracePeriod: Duration = .seconds(5), restartBackoff: Duration = .milliseconds(200),
                maxRestartBackoff: Duration = .seconds(3), maxProbePeriod: Duration = .milliseconds(500),
                resyncInterval: Duration = .seconds(1), mariaDBHostArguments: [String]? = nil) {
        self.vigilBinary = vigilBinary
        self.ipPrefix = ipPrefix ?? "127.\(Int.random(in: 16...254)).\(Int.random(in: 0...255))."
        self.workDirectory = workDirectory
        self.maxGracePeriod = maxGracePeriod
        self.restartBackoff = restartBackoff
        self.maxRestartBackoff = maxRestartBackoff
        self.maxProbePeriod = maxProbePeriod
        self.resyncInterval = resyncInterval
        self.mariaDBHostArguments = mariaDBHostArguments ?? TestHost.mariaDBHostArguments
    }
}
