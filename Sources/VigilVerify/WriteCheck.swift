/// Items 1–3 of the report: acknowledged writes lost, replication gaps, unknown writes that
/// did or did not land, failed writes that landed. "Present" always means present on the
/// final primary: that is the group's state after healing.
struct WriteCheck {
    var lost: [WriteFinding] = []
    var gaps: [ReplicationGap] = []
    var unknown = UnknownWrites(landed: [], notLanded: [], undetermined: [])
    var failedButLanded: [WriteFinding] = []
    var notes: [String] = []

    init(history: History, primary: FinalRead?) {
        let writes = history.operations.filter(\.op.isWrite).sorted { $0.id < $1.id }
        guard let primary else {
            unknown.undetermined = writes.filter { $0.outcome == .unknown }.map(\.id)
            return
        }
        let state = FinalState(primary)
        var undecidable: Set<String> = []
        for write in writes {
            guard let present = state.contains(write) else {
                undecidable.insert(write.op.kind)
                if write.outcome == .unknown { unknown.undetermined.append(write.id) }
                continue
            }
            switch (write.outcome, present) {
            case (.ok, false): lost.append(WriteFinding(write))
            case (.unknown, true): unknown.landed.append(write.id)
            case (.unknown, false): unknown.notLanded.append(write.id)
            case (.fail, true): failedButLanded.append(WriteFinding(write))
            default: break
            }
        }
        for kind in undecidable.sorted() {
            notes.append("the final read of \(primary.instance) cannot tell whether \(kind) writes landed")
        }
        // A gap is an acknowledged write the primary has and a replica lacks; writes the
        // primary lacks too are already losses.
        let acknowledged = writes.filter { $0.outcome == .ok && state.contains($0) == true }
        for read in history.finalReads.sorted(by: { $0.instance < $1.instance })
        where read.reachable && read.instance != primary.instance {
            let replica = FinalState(read)
            let missing = acknowledged.filter { replica.contains($0) == false }.map(\.id)
            if !missing.isEmpty {
                gaps.append(ReplicationGap(instance: read.instance, role: read.role, missingOperationIDs: missing))
            }
        }
    }
}
