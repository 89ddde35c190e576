import VigilCore

/// The simulated group: instances, network, a client writing to whatever is writable,
/// replication, semi-sync acknowledgements. Pure data; `SimRun` drives it step by step.
struct SimWorld {
    let flavor: Flavor
    let mode: ReplicationMode
    var instances: [SimInstance]
    var network = SimNetwork()
    /// Writes the client saw acknowledged.
    var acked: Set<SimTxn> = []
    /// GTID states by history identity (count and last transaction, per instance and kind):
    /// histories only grow, so that identifies them.
    private var gtidCache: [GTIDCacheKey: GTIDState] = [:]
    /// Transactions per step a replica's IO thread can fetch.
    let fetchRate = 6

    init(names: [String], flavor: Flavor, mode: ReplicationMode) {
        self.flavor = flavor
        self.mode = mode
        instances = names.indices.map { SimInstance(index: $0, name: names[$0]) }
        // Bootstrapped: instance 0 is the writable primary, the others replicate from it.
        instances[0].readOnly = false
        for index in instances.indices.dropFirst() {
            instances[index].source = 0
            instances[index].ioRunning = true
        }
    }

    func index(of name: String) -> Int { instances.firstIndex { $0.name == name }! }

    // MARK: - Client and replication

    mutating func clientWrites(_ random: inout SimRandom, rate: Double) {
        for index in instances.indices where instances[index].isWritable && random.chance(rate) {
            instances[index].ownWrites += 1
            let txn = SimTxn(origin: index, ordinal: instances[index].ownWrites)
            instances[index].executed.append(txn)
            switch mode {
            case .async: acked.insert(txn)
            case .semiSync: instances[index].pendingAcks.append((txn, instances[index].executed.count - 1))
            }
        }
    }

    /// IO threads fetch, SQL threads apply, sources collect semi-sync acknowledgements.
    mutating func replicate() {
        for index in instances.indices {
            guard instances[index].answers else { continue }
            fetch(index)
            let count = min(instances[index].applyRate, instances[index].relay.count)
            instances[index].executed += instances[index].relay.prefix(count)
            instances[index].relay.removeFirst(count)
        }
        for index in instances.indices where instances[index].answers && !instances[index].pendingAcks.isEmpty {
            var still: [(txn: SimTxn, index: Int)] = []
            for pending in instances[index].pendingAcks {
                var received = false
                for other in instances.indices where other != index && instances[other].source == index {
                    if instances[other].held(at: pending.index) == pending.txn {
                        received = true
                        break
                    }
                }
                if received { acked.insert(pending.txn) } else { still.append(pending) }
            }
            instances[index].pendingAcks = still
        }
    }

    /// Whether `replica`'s held history is a prefix of `binlog`. Histories are append-only and
    /// prefix replication puts a transaction at the same position in every history holding it,
    /// so the last position decides.
    private func isPrefix(_ replica: SimInstance, of binlog: [SimTxn]) -> Bool {
        let count = replica.heldCount
        guard count <= binlog.count else { return false }
        guard count > 0 else { return true }
        if replica.held(at: count - 1) == binlog[count - 1] { return true }
        return false
    }

    private mutating func fetch(_ index: Int) {
        let replica = instances[index]
        guard replica.ioRunning, !replica.replicationError, let source = replica.source, source != index,
            instances[source].process == .running, network.linked(index, source)
        else { return }
        let binlog = instances[source].executed
        let incoming: ArraySlice<SimTxn>
        if isPrefix(replica, of: binlog) {
            incoming = binlog.dropFirst(replica.heldCount)
        } else {
            switch flavor {
            case .mariadb:
                // gtid_strict_mode: the replica's position must be in the source's binlog.
                instances[index].replicationError = true
                instances[index].ioRunning = false
                return
            case .mysql:
                // Auto-position: the source sends whatever the replica's GTID set lacks.
                let have = Set(replica.held)
                incoming = ArraySlice(binlog.filter { !have.contains($0) })
            }
        }
        if !incoming.isEmpty { instances[index].relay += incoming.prefix(fetchRate) }
    }

    // MARK: - Faults

    mutating func kill(_ index: Int) {
        instances[index].process = .killed
        // Unacknowledged writes die with the process: the client got an error.
        instances[index].pendingAcks = []
    }

    /// mysqld starts again: read-only by configuration, replication not started
    /// (skip_replica_start), binlog and relay log intact.
    mutating func restart(_ index: Int) {
        guard instances[index].process == .killed else { return }
        instances[index].process = .running
        instances[index].readOnly = true
        instances[index].ioRunning = false
        instances[index].replicationError = false
    }

    // MARK: - What probes see

    func reachableFromController(_ index: Int) -> Bool {
        instances[index].answers && network.linked(SimNetwork.controller, index)
    }

    func serverState(_ index: Int) -> ServerProcessState {
        switch instances[index].process {
        case .killed: .exited
        case .paused: .notAnswering
        case .running: .running(readOnly: instances[index].readOnly)
        }
    }

    /// Whether `index`'s agent can reach `primary`'s mysqld.
    func canReach(_ index: Int, primary: Int) -> Bool {
        instances[primary].answers && network.linked(index, primary)
    }

    mutating func observation(_ index: Int) -> InstanceObservation {
        let instance = instances[index]
        guard reachableFromController(index) else { return .unreachable(instance.name, flavor: flavor) }
        let replica = instance.source.map { source in
            let connected = instances[source].process != .killed && network.linked(index, source)
            let io: ReplicaStatus.IOThreadState = instance.ioRunning ? (connected ? .yes : .connecting) : .no
            return ReplicaStatus(
                sourceHost: instances[source].name, sourcePort: 3306, ioThread: io, sqlThreadRunning: true,
                secondsBehindSource: UInt64(instance.relay.count / max(1, instance.applyRate)),
                lastIOError: instance.replicationError ? "source's binlog lacks our GTID position" : nil)
        }
        return InstanceObservation(
            name: instance.name, reachable: true, flavor: flavor, readOnly: instance.readOnly,
            superReadOnly: flavor == .mysql ? instance.readOnly : nil, executedGTIDs: cachedGTIDs(index, held: false),
            retrievedGTIDs: instance.source == nil ? nil : cachedGTIDs(index, held: true), replica: replica)
    }

    // MARK: - GTIDs

    mutating func cachedGTIDs(_ index: Int, held: Bool) -> GTIDState {
        let instance = instances[index]
        let key = GTIDCacheKey(
            instance: index, held: held, executed: instance.executed.count, relay: held ? instance.relay.count : 0,
            last: held ? instance.held(at: instance.heldCount - 1) : instance.executed.last)
        if let cached = gtidCache[key] { return cached }
        let state = gtids(held ? instance.held : instance.executed)
        gtidCache[key] = state
        return state
    }

    static let uuids: [ServerUUID] = (0..<8).map { ServerUUID("00000000-0000-0000-0000-00000000000\($0)")! }

    /// The history as the server would report it: MySQL one UUID per origin; MariaDB one
    /// domain whose sequence is the history's length (prefix histories share sequences).
    func gtids(_ history: [SimTxn]) -> GTIDState {
        switch flavor {
        case .mariadb:
            guard let last = history.last else { return .mariadb(.empty) }
            return .mariadb(MariaDBGTIDPosition([
                MariaDBGTID(domain: 0, serverID: UInt32(last.origin + 1), sequence: UInt64(history.count))
            ]))
        case .mysql:
            // Usually each origin's ordinals are 1...n in a history: count and max tell.
            var counts = [UInt64](repeating: 0, count: Self.uuids.count)
            var maxima = [UInt64](repeating: 0, count: Self.uuids.count)
            for txn in history {
                counts[txn.origin] += 1
                maxima[txn.origin] = max(maxima[txn.origin], txn.ordinal)
            }
            var intervals: [GTIDSource: [ClosedRange<UInt64>]] = [:]
            for origin in counts.indices where counts[origin] > 0 {
                let source = GTIDSource(uuid: Self.uuids[origin])
                if counts[origin] == maxima[origin] {
                    intervals[source] = [1...maxima[origin]]
                    continue
                }
                let ordinals = Set(history.lazy.filter { $0.origin == origin }.map(\.ordinal)).sorted()
                var ranges: [ClosedRange<UInt64>] = []
                for ordinal in ordinals {
                    if let last = ranges.last, last.upperBound + 1 == ordinal {
                        ranges[ranges.count - 1] = last.lowerBound...ordinal
                    } else {
                        ranges.append(ordinal...ordinal)
                    }
                }
                intervals[source] = ranges
            }
            return .mysql(MySQLGTIDSet(intervals))
        }
    }
}

struct GTIDCacheKey: Hashable {
    var instance: Int
    var held: Bool
    var executed: Int
    var relay: Int
    var last: SimTxn?
}
