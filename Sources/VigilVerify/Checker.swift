import Foundation

/// The `vigil verify` checker: a recorded history in, a report out. Pure: no IO, no clock.
public enum Checker {
    public static func check(_ history: History, options: CheckOptions = CheckOptions()) -> Report {
        let (primary, primaryNote) = FinalState.primary(of: history.finalReads)
        var notes = primaryNote.map { [$0] } ?? []

        let writes = WriteCheck(history: history, primary: primary)
        notes += writes.notes
        let errant = ErrantCheck.check(history, primary: primary)
        notes += errant.notes

        var bank: BankFindings?
        var listAppend: ListAppendFindings?
        switch history.workload {
        case .uniqueInserts: break
        case .bank(let accounts, let initialBalance):
            bank = BankCheck.check(history, accounts: accounts, initialBalance: initialBalance)
        case .listAppend:
            listAppend = ListAppendCheck.check(history, lost: writes.lost)
        }

        let operations = history.operations
        let counts = OperationCounts(
            total: operations.count,
            ok: operations.count { $0.outcome == .ok },
            fail: operations.count { $0.outcome == .fail },
            unknown: operations.count { $0.outcome == .unknown },
            writes: operations.count { $0.op.isWrite },
            acknowledgedWrites: operations.count { $0.isAcknowledgedWrite })
        let splitBrain = SplitBrainCheck.windows(history, slackMs: options.transitionSlackMs)

        var report = Report(
            workload: history.workload.name, seed: history.seed, mode: history.mode, counts: counts,
            finalPrimary: primary?.instance, lostWrites: writes.lost, replicationGaps: writes.gaps,
            unknownWrites: writes.unknown, failedButLanded: writes.failedButLanded, splitBrain: splitBrain,
            bank: bank, listAppend: listAppend, recovery: RecoveryCheck.report(history),
            falsePositiveFailovers: RecoveryCheck.falsePositiveFailovers(history, windowMs: options.failoverWindowMs),
            errantTransactions: errant.found, notes: notes,
            verdict: Verdict(passed: true, lossAllowedInAsync: false, reasons: []))
        let serverless = operations.count { $0.isAcknowledgedWrite && $0.server == nil }
        if serverless > 0 {
            report.notes.append("\(serverless) acknowledged write(s) name no server: split-brain detection cannot see them")
        }
        report.verdict = verdict(report, unreadable: (primaryNote.map { [$0] } ?? []) + writes.notes, options: options)
        return report
    }

    /// Lost writes, split brain, bank and list-append anomalies fail the run; so does a final
    /// state the checker could not read, or a pass would be vacuous. Errant transactions, false
    /// positive failovers, failed-but-landed writes and replication gaps are reported only.
    /// `unreadable`: why the final state could not be judged (no single primary, a read
    /// without the workload's data).
    static func verdict(_ report: Report, unreadable: [String], options: CheckOptions) -> Verdict {
        var reasons = unreadable
        if report.counts.acknowledgedWrites == 0 { reasons.append("no write was acknowledged: nothing was tested") }
        if !report.splitBrain.isEmpty { reasons.append("\(report.splitBrain.count) split-brain window(s)") }
        if let bank = report.bank {
            if !bank.drift.isEmpty { reasons.append("bank total drifted in \(bank.drift.count) read(s)") }
            if !bank.negativeBalances.isEmpty { reasons.append("\(bank.negativeBalances.count) negative balance(s)") }
        }
        if let list = report.listAppend {
            if !list.duplicates.isEmpty { reasons.append("\(list.duplicates.count) duplicated list element(s)") }
            if !list.reorders.isEmpty { reasons.append("\(list.reorders.count) reordered list element pair(s)") }
        }
        let excuse = report.mode == "async" && options.allowLoss
        let lossAllowed = excuse && !report.lostWrites.isEmpty
        if !report.lostWrites.isEmpty && !excuse {
            reasons.append("\(report.lostWrites.count) acknowledged write(s) lost")
        }
        return Verdict(passed: reasons.isEmpty, lossAllowedInAsync: lossAllowed, reasons: reasons)
    }
}

extension Report {
    /// The JSON report: pretty, with sorted keys so runs diff cleanly.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
