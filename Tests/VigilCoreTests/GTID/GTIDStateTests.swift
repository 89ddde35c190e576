import Testing
import VigilCore

@Suite struct GTIDStateTests {
    let primary = GTIDState.mysql(Fixtures.mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"))

    @Test func errantTransactionsOfAReplica() throws {
        let replica = try GTIDState(
            parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90,ffffffff-ffff-ffff-ffff-ffffffffffff:1-2", flavor: .mysql)
        #expect(try replica.errant(relativeTo: primary).description == "ffffffff-ffff-ffff-ffff-ffffffffffff:1-2")
        #expect(try replica.missing(from: primary).description == "3e11fa47-71ca-11e1-9e33-c80aa9429562:91-100")
        #expect(!replica.contains(primary))
        #expect(try replica.union(primary).contains(primary))
    }

    @Test func cleanReplicaHasNoErrantTransactions() throws {
        let replica = GTIDState.mysql(Fixtures.mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"))
        #expect(try replica.errant(relativeTo: primary).isEmpty)
        #expect(try replica.missing(from: primary).isEmpty)
    }

    @Test func mariadbErrantIsADomainAhead() throws {
        let primary = try GTIDState(parsing: "0-1-100", flavor: .mariadb)
        let replica = try GTIDState(parsing: "0-1-98,5-7-3", flavor: .mariadb)
        #expect(try replica.errant(relativeTo: primary).description == "5-7-3")
        #expect(try replica.missing(from: primary).description == "0-1-100")
        #expect(replica.flavor == .mariadb)
    }

    @Test func flavorsDoNotMix() {
        let maria = GTIDState.mariadb(Fixtures.mariadb("0-1-1"))
        #expect(throws: GTIDFlavorMismatch(lhs: .mysql, rhs: .mariadb)) { try primary.union(maria) }
        #expect(throws: GTIDFlavorMismatch(lhs: .mariadb, rhs: .mysql)) { try maria.errant(relativeTo: primary) }
        #expect(!primary.contains(maria))
        #expect(primary.contains(.empty(.mariadb)))
    }

    @Test func parseErrorsCarryTheFlavor() {
        #expect(throws: GTIDParseError.self) { try GTIDState(parsing: "0-1-1", flavor: .mysql) }
        do {
            _ = try GTIDState(parsing: "x", flavor: .mariadb)
        } catch {
            #expect(error.flavor == .mariadb)
            #expect(error.description.hasPrefix("invalid MariaDB GTID position at offset 0"))
        }
    }

    @Test func codableNamesTheFlavor() throws {
        #expect(try JSONRoundTrip.encode(primary)
            == #"{"flavor":"mysql","gtids":"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"}"#)
        #expect(try JSONRoundTrip.roundTrip(primary) == primary)
        let maria = GTIDState.mariadb(Fixtures.mariadb("0-1-1,3-2-9"))
        #expect(try JSONRoundTrip.roundTrip(maria) == maria)
        #expect(throws: (any Error).self) {
            try JSONRoundTrip.decode(GTIDState.self, #"{"flavor":"mysql","gtids":"9-3"}"#)
        }
    }
}
