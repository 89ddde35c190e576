import Testing
import VigilKube
@testable import VigilKubelet

@Suite struct KubeletUnitTests {
    @Test func tolerationMatchingFollowsKubernetes() {
        let taint = Taint(key: "vigil.dev/site-down", value: "true", effect: "NoExecute")
        #expect(Tolerations.tolerates(Toleration(key: "vigil.dev/site-down", operator: "Exists"), taint))
        #expect(Tolerations.tolerates(Toleration(operator: "Exists"), taint))
        #expect(Tolerations.tolerates(Toleration(key: "vigil.dev/site-down", value: "true", effect: "NoExecute"), taint))
        #expect(!Tolerations.tolerates(Toleration(key: "vigil.dev/site-down", value: "false"), taint))
        #expect(!Tolerations.tolerates(Toleration(key: "vigil.dev/site-down", operator: "Exists", effect: "NoSchedule"), taint))
        #expect(!Tolerations.blocksScheduling([Taint(key: "x", effect: "PreferNoSchedule")], []))
        #expect(Tolerations.blocksScheduling([Taint(key: "x", effect: "NoSchedule")], []))
    }

    @Test func imagesAreInterpretedLikeTheirEntrypoints() throws {
        let vigil = "/build/vigil"
        let server = try ContainerLaunch.plan(image: "docker.io/library/mariadb:10.11", command: nil,
                                              args: ["--defaults-file=/x.cnf", "--bind-address=1.2.3.4"], vigilBinary: vigil)
        #expect(server == ContainerLaunch(program: .mariadb, arguments: ["--defaults-file=/x.cnf", "--bind-address=1.2.3.4"]))
        #expect(try ContainerLaunch.plan(image: "mariadb:11", command: nil, args: ["mariadbd", "--port=1"], vigilBinary: vigil)
                .arguments == ["--port=1"])
        #expect(try ContainerLaunch.plan(image: "ghcr.io/vigil-dev/vigil:1", command: ["vigil", "agent"], args: ["--x"],
                                         vigilBinary: vigil) == ContainerLaunch(program: .executable(vigil), arguments: ["agent", "--x"]))
        #expect(throws: ContainerLaunch.Unsupported.self) {
            try ContainerLaunch.plan(image: "mariadb:10.11", command: ["bash"], args: nil, vigilBinary: vigil)
        }
        #expect(throws: ContainerLaunch.Unsupported.self) {
            try ContainerLaunch.plan(image: "busybox", command: ["sleep"], args: nil, vigilBinary: vigil)
        }
    }

    @Test func podIPsAreStickyPerIdentityAndWaitForTerminatingHolders() {
        var allocator = PodIPAllocator(prefix: "127.9.9.")
        #expect(allocator.allocate(identity: "ns/a", uid: "1") == .address("127.9.9.2"))
        #expect(allocator.allocate(identity: "ns/b", uid: "2") == .address("127.9.9.3"))
        // A second live pod with the same hostname gets its own address.
        #expect(allocator.allocate(identity: "ns/a", uid: "3") == .address("127.9.9.4"))
        allocator.release(uid: "3")
        allocator.markTerminating(uid: "1")
        #expect(allocator.allocate(identity: "ns/a", uid: "5") == .wait(heldBy: "1"))
        allocator.release(uid: "1")
        #expect(allocator.allocate(identity: "ns/a", uid: "5") == .address("127.9.9.2"))
    }

    @Test func dataDirectoryFromMariadbdHelp() {
        let help = "datadir                                                /tmp/x/pvc/default/data-a/\ndate-format %Y\n"
        #expect(PodRuntime.option("datadir", in: help) == "/tmp/x/pvc/default/data-a")
    }
}
