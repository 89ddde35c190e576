import Testing
import VigilCore
@testable import VigilOperator

@Suite struct ClusterPlanTests {
    func resolve(_ spec: MySQLClusterSpec, name: String = "shop") -> Result<ClusterPlan, PlanProblems> {
        ClusterPlan.resolve(cluster: name, namespace: "prod", spec: spec)
    }

    func problems(_ spec: MySQLClusterSpec, name: String = "shop") -> [String] {
        switch resolve(spec, name: name) {
        case .success: []
        case .failure(let p): p.problems
        }
    }

    @Test func twoSitesResolveToNamedInstancesWithDefaults() throws {
        let spec = MySQLClusterSpec(sites: [.init(name: "a", instances: 2), .init(name: "b", role: "dr-only", priority: 5)])
        let plan = try resolve(spec).get()
        #expect(plan.instances.map(\.name) == ["shop-a-0", "shop-a-1", "shop-b-0"])
        #expect(plan.instances.map(\.serverID) == [1, 2, 3])
        #expect(plan.instances.last?.siteRole == .drOnly)
        #expect(plan.replication == .semiSync)
        #expect(plan.flavor == .mariadb)
        #expect(plan.image == "mariadb:10.11")
        #expect(plan.group.cooldown == .seconds(300))
        #expect(plan.group.failureThreshold == 3)
        #expect(plan.group.member("shop-b-0")?.sitePriority == 5)
        #expect(plan.group.member("shop-a-0")?.host == "shop-a-0.shop-headless.prod.svc")
        #expect(plan.sites == ["a", "b"])
        #expect(plan.dnsTTL == 30)
        #expect(plan.taintsEnabled)
    }

    @Test func knobsReachTheDecisionCore() throws {
        let spec = MySQLClusterSpec(
            mode: "async", sites: [.init(name: "a", instances: 3)],
            failover: .init(probeIntervalSeconds: 0.5, failureThreshold: 5, cooldownSeconds: 60, drainTimeoutSeconds: 7, allowDROnly: true),
            agent: .init(leaseTimeoutSeconds: 4))
        let plan = try resolve(spec).get()
        #expect(plan.replication == .async)
        #expect(plan.group.lease.probeInterval == .milliseconds(500))
        #expect(plan.group.lease.leaseTimeout == .seconds(4))
        #expect(plan.group.failureThreshold == 5)
        #expect(plan.group.cooldown == .seconds(60))
        #expect(plan.group.drainTimeout == .seconds(7))
        #expect(plan.group.ranking.allowDROnly)
    }

    @Test func zeroSitesIsRejected() {
        let found = problems(MySQLClusterSpec(sites: []))
        #expect(found == ["spec.sites must name at least one site"])
    }

    @Test func duplicateSiteNamesAreRejected() {
        let found = problems(MySQLClusterSpec(sites: [.init(name: "a"), .init(name: "a")]))
        #expect(found.contains { $0.contains("spec.sites[1].name 'a' is used by two sites") })
    }

    @Test func unknownFlavorIsRejected() {
        let found = problems(MySQLClusterSpec(engine: .init(flavor: "postgres"), sites: [.init(name: "a", instances: 2)]))
        #expect(found == ["spec.engine.flavor 'postgres' is unknown; use mariadb or mysql"])
    }

    @Test func drOnlyAsTheOnlySiteIsRejected() {
        let found = problems(MySQLClusterSpec(sites: [.init(name: "dr", role: "dr-only", instances: 2)]))
        #expect(found.count == 1)
        #expect(found.first?.contains("no site has role primary-candidate") == true)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let spec = MySQLClusterSpec(
            topology: "raftGroup", mode: "sometimes", sites: [.init(name: "A_b", role: "leader", instances: 0)],
            failover: .init(probeIntervalSeconds: 0, failureThreshold: 0), dns: .init(hostname: "not a host", ttl: 0),
            switchover: .init(to: "nobody"))
        let found = problems(spec, name: "Shop")
        for fragment in ["raftGroup is reserved", "spec.mode 'sometimes'", "metadata.name 'Shop'", "spec.sites[0].name 'A_b'",
                         "spec.sites[0].role 'leader'", "spec.sites[0].instances must be at least 1", "probeIntervalSeconds",
                         "failureThreshold must be at least 1", "spec.dns.hostname 'not a host'", "spec.dns.ttl",
                         "spec.switchover.to 'nobody'"] {
            #expect(found.contains { $0.contains(fragment) }, "missing: \(fragment) in \(found)")
        }
    }

    @Test func semisyncNeedsTwoInstancesAndStandaloneExactlyOne() {
        #expect(problems(MySQLClusterSpec(sites: [.init(name: "a")])).first?.contains("semisync needs at least two") == true)
        #expect(problems(MySQLClusterSpec(mode: "async", sites: [.init(name: "a")])).isEmpty)
        #expect(problems(MySQLClusterSpec(topology: "standalone", mode: "async", sites: [.init(name: "a")])).isEmpty)
        #expect(problems(MySQLClusterSpec(topology: "standalone", sites: [.init(name: "a", instances: 2)]))
            .contains { $0.contains("standalone runs exactly one instance") })
    }

    @Test func namesAndQuantities() {
        #expect(KubeNames.isDNSLabel("db-1"))
        #expect(!KubeNames.isDNSLabel("-db"))
        #expect(!KubeNames.isDNSLabel("Db"))
        #expect(KubeNames.isDNSName("db.example.com."))
        #expect(!KubeNames.isDNSName("db..example"))
        #expect(KubeNames.isQuantity("10Gi"))
        #expect(KubeNames.isQuantity("1.5G"))
        #expect(!KubeNames.isQuantity("ten"))
        #expect(!KubeNames.isQuantity("Gi"))
    }
}
