import Testing
import VigilCore

/// Several local instances share 127.0.0.1: a replica's source is told apart by its port.
struct MemberAddressTests {
    @Test func hostWithPortMatchesSourceHostAndPort() {
        let db0 = MemberConfig(name: "db0", host: "127.0.0.1:13310")
        #expect(db0.isAddressed(by: "127.0.0.1", port: 13310))
        #expect(!db0.isAddressed(by: "127.0.0.1", port: 13311))
        #expect(!db0.isAddressed(by: "127.0.0.1"))
        #expect(db0.isAddressed(by: "db0"))
        let named = MemberConfig(name: "db1", host: "db1.example")
        #expect(named.isAddressed(by: "db1.example", port: 3306))
        #expect(!named.isAddressed(by: "db2.example", port: 3306))
    }
}
