import Testing
import VigilCore

@Suite struct InstanceObservationTests {
    static let replicaStatus = ReplicaStatus(
        sourceHost: "db-0", sourcePort: 3306, ioThread: .yes, sqlThreadRunning: true, secondsBehindSource: 0)

    static func observation(
        reachable: Bool = true, readOnly: Bool? = false, superReadOnly: Bool? = nil, replica: ReplicaStatus? = nil
    ) -> InstanceObservation {
        InstanceObservation(
            name: "db-1", reachable: reachable, flavor: .mysql, readOnly: readOnly, superReadOnly: superReadOnly,
            replica: replica)
    }

    @Test func roleHintRules() {
        #expect(Self.observation().roleHint == .primary)
        #expect(Self.observation(readOnly: true).roleHint == .unknown)
        #expect(Self.observation(readOnly: false, superReadOnly: true).roleHint == .unknown)
        #expect(Self.observation(readOnly: nil).roleHint == .unknown)
        #expect(Self.observation(replica: Self.replicaStatus).roleHint == .replica)
        #expect(Self.observation(readOnly: true, replica: Self.replicaStatus).roleHint == .replica)
        #expect(Self.observation(reachable: false).roleHint == .unknown)
        #expect(InstanceObservation.unreachable("db-2", flavor: .mariadb).roleHint == .unknown)
    }

    @Test func ioThreadStateFromServerText() {
        #expect(ReplicaStatus.IOThreadState(serverText: "Yes") == .yes)
        #expect(ReplicaStatus.IOThreadState(serverText: "Connecting") == .connecting)
        #expect(ReplicaStatus.IOThreadState(serverText: "NO") == .no)
        #expect(ReplicaStatus.IOThreadState(serverText: "Preparing") == nil)
        #expect(Self.replicaStatus.isReplicating)
    }

    @Test func snapshotRoundTripsThroughJSON() throws {
        let mysql = InstanceObservation(
            name: "db-0", reachable: true, flavor: .mysql, serverID: 1,
            serverUUID: ServerUUID("3E11FA47-71CA-11E1-9E33-C80AA9429562"), version: "8.4.3", uptimeSeconds: 1200,
            readOnly: false, superReadOnly: false,
            executedGTIDs: .mysql(Fixtures.mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100")),
            semiSync: SemiSyncState(sourceEnabled: true, sourceActive: true, clients: 2, waitForReplicaCount: 1, waitPoint: .afterSync))
        let maria = InstanceObservation(
            name: "db-1", reachable: true, flavor: .mariadb, serverID: 2, version: "10.11.9-MariaDB", readOnly: true,
            executedGTIDs: .mariadb(Fixtures.mariadb("0-1-100")), retrievedGTIDs: .mariadb(Fixtures.mariadb("0-1-102")),
            replica: ReplicaStatus(
                sourceHost: "db-0", sourcePort: 3306, ioThread: .connecting, sqlThreadRunning: true,
                lastIOError: "error reconnecting to master"),
            semiSync: SemiSyncState(replicaEnabled: true, replicaActive: false))
        let snapshot = GroupSnapshot(
            takenAt: Instant(millisecondsSinceEpoch: 12_345),
            instances: [mysql, maria, .unreachable("db-2", flavor: .mariadb)])
        #expect(try JSONRoundTrip.roundTrip(snapshot) == snapshot)
        #expect(snapshot["db-1"]?.roleHint == .replica)
        #expect(snapshot.reachable.map(\.name) == ["db-0", "db-1"])
        #expect(snapshot.apparentPrimaries.map(\.name) == ["db-0"])
        let json = try JSONRoundTrip.encode(mysql)
        #expect(json.contains(#""serverUUID":"3e11fa47-71ca-11e1-9e33-c80aa9429562""#))
    }
}
