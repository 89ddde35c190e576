import Foundation
import Testing
@testable import VigilLocal

/// The fault links' port plan: every link has its own port, clear of the group's own ports,
/// inside the span `up` checks; partitions cut exactly the links that reach the instance.
@Suite struct LocalSpecLinksTests {
    func spec(_ n: Int, links: Bool = true) -> LocalSpec {
        LocalSpec(instances: n, mode: n == 1 ? .async : .lossless, portBase: 20000, mysqldPath: "/usr/sbin/mariadbd", faultLinks: links)
    }

    @Test(arguments: 1...LocalSpec.maxInstances)
    func everyLinkHasItsOwnPortInsideTheSpan(n: Int) throws {
        let s = spec(n)
        let links = s.links
        #expect(links.count == 4 * n + 2 * n * (n - 1))
        let ports = s.allPorts
        #expect(Set(ports).count == ports.count, "a port is used twice")
        #expect(ports.allSatisfy { $0 >= s.portBase && $0 < s.portBase + s.portSpan })
        #expect(Set(links.map(\.name)).count == links.count)
        try s.validate()
    }

    @Test func everyAddressTheGroupUsesIsALinkToTheRightTarget() {
        let s = spec(3)
        let byPort = Dictionary(uniqueKeysWithValues: s.links.map { ($0.listenPort, $0) })
        #expect(byPort[s.clientPort(1)]?.name == "clients>db1:mysql")
        #expect(byPort[s.controllerMySQLPort(2)]?.targetPort == s.mysqlPort(2))
        #expect(byPort[s.replicationPort(source: 0, replica: 2)]?.name == "db2>db0:mysql")
        #expect(byPort[s.replicationPort(source: 0, replica: 2)]?.targetPort == s.mysqlPort(0))
        #expect(s.peerAgentURL(from: 1, to: 0).hasSuffix(":\(byPort.first { $0.value.name == "db1>db0:agent" }!.key)"))
        #expect(s.agentControllerURL(2).hasSuffix(":\(byPort.first { $0.value.name == "db2>controller" }!.key)"))
        // Without links every address is the target's own.
        let direct = spec(3, links: false)
        #expect(direct.links.isEmpty && direct.portSpan == 50)
        #expect(direct.clientPort(1) == direct.mysqlPort(1) && direct.replicationPort(source: 0, replica: 2) == direct.mysqlPort(0))
    }

    @Test func aPartitionCutsEveryLinkToTheInstanceAndNoOther() {
        let s = spec(3)
        let everything = Set(s.partitionLinks(isolating: "db0", from: Set(PartitionSide.allCases)))
        #expect(everything.count == 12)
        #expect(everything.allSatisfy { $0.contains("db0") })
        // Links between the other parts stay up.
        #expect(!everything.contains("db1>db2:mysql") && !everything.contains("controller>db1:agent"))
        #expect(Set(s.partitionLinks(isolating: "db0", from: [.controller]))
            == ["controller>db0:mysql", "controller>db0:agent", "db0>controller"])
        #expect(s.partitionLinks(isolating: "db0", from: [.clients]) == ["clients>db0:mysql"])
        #expect(s.partitionLinks(isolating: "db9", from: [.clients]).isEmpty)
        #expect(PartitionSide.parse("replicas,controller") == [.replicas, .controller])
        #expect(PartitionSide.parse("everything") == Set(PartitionSide.allCases))
        #expect(PartitionSide.parse("replicas,bogus") == nil && PartitionSide.parse("") == nil)
    }

    @Test func aStateFileFromBeforeLinksStillLoads() throws {
        let json = #"{"instances":3,"sites":["a"],"mode":"lossless","portBase":13300,"mysqldPath":"/usr/sbin/mariadbd"}"#
        let decoded = try JSONDecoder().decode(LocalSpec.self, from: Data(json.utf8))
        #expect(decoded.faultLinks == false && decoded.instances == 3)
        let roundTrip = try JSONDecoder().decode(LocalSpec.self, from: JSONEncoder().encode(spec(3)))
        #expect(roundTrip == spec(3))
    }

    @Test func thePortBaseMustLeaveRoomForTheLinks() {
        var s = spec(3)
        s.portBase = 65535 - 100
        #expect(throws: LocalError.self) { try s.validate() }
        s.faultLinks = false
        #expect(throws: Never.self) { try s.validate() }
    }
}
