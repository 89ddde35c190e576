extension Checker {
    /// A few lines for humans: what ran, what chaos did, how fast writes came back, what was
    /// lost, the verdict and the seed to replay it.
    public static func summary(_ report: Report, history: History) -> String {
        var lines: [String] = []
        let c = report.counts
        lines.append("vigil verify: workload \(report.workload), mode \(report.mode), seed \(report.seed)")
        lines.append("operations: \(c.total) (ok \(c.ok), fail \(c.fail), unknown \(c.unknown)); acknowledged writes \(c.acknowledgedWrites)")
        let faultKinds = Dictionary(grouping: history.faults, by: \.kind).map { "\($0.key) ×\($0.value.count)" }.sorted()
        lines.append("faults: \(history.faults.count)" + (faultKinds.isEmpty ? "" : " (\(faultKinds.joined(separator: ", ")))")
            + "; transitions: \(history.transitions.count)")
        if !history.faults.isEmpty {
            // The schedule, so a run can be replayed by eye; the JSON report has all of it.
            let shown = history.faults.sorted { $0.startMs < $1.startMs }.prefix(12).map { fault in
                "\(fault.kind)\(fault.target.map { " " + $0 } ?? "")@\(seconds(fault.startMs))"
            }
            let more = history.faults.count > 12 ? ", … +\(history.faults.count - 12)" : ""
            lines.append("  schedule: \(shown.joined(separator: ", "))\(more)")
        }
        for (kind, stats) in report.recovery.byKind.sorted(by: { $0.key < $1.key }) {
            lines.append("  RTO \(kind): \(rto(stats))")
        }
        if !report.recovery.faults.isEmpty { lines.append("  RTO all: \(rto(report.recovery.overall))") }
        let u = report.unknownWrites
        lines.append("lost acknowledged writes: \(report.lostWrites.count); unknown writes landed \(u.landed.count), not landed \(u.notLanded.count), undetermined \(u.undetermined.count)")
        lines.append("split-brain windows: \(report.splitBrain.count); false-positive failovers: \(report.falsePositiveFailovers.count); errant: \(report.errantTransactions.count) instance(s)")
        for e in report.errantTransactions {
            let what = [e.errant.isEmpty ? nil : "errant \(e.errant)",
                        e.divergentDomains.isEmpty ? nil : "diverged in domain(s) \(e.divergentDomains.map(String.init).joined(separator: ","))",
                        e.divergentFromAcknowledged.isEmpty ? nil : "kept \(e.divergentFromAcknowledged.joined(separator: ",")) where an acknowledged write has another server"]
            lines.append("  \(e.instance) (gtid \(e.gtidExecuted)): \(what.compactMap { $0 }.joined(separator: "; "))")
        }
        if let bank = report.bank {
            lines.append("bank: drift in \(bank.drift.count) read(s), \(bank.negativeBalances.count) negative balance(s)")
        }
        if let list = report.listAppend {
            lines.append("list-append: lost \(list.lostAppends.count), duplicates \(list.duplicates.count), reorders \(list.reorders.count)")
        }
        var verdict = report.verdict.passed ? "PASSED" : "FAILED"
        if report.verdict.lossAllowedInAsync { verdict += " (loss allowed in async mode)" }
        if !report.verdict.reasons.isEmpty { verdict += ": " + report.verdict.reasons.joined(separator: "; ") }
        lines.append("verdict: \(verdict)")
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ ms: Int64) -> String {
        "\(ms / 1000).\((ms % 1000) / 100)s"
    }

    private static func rto(_ stats: RTOStats) -> String {
        func ms(_ value: Int64?) -> String { value.map { "\($0) ms" } ?? "-" }
        let unrecovered = stats.faults - stats.recovered
        return "p50 \(ms(stats.p50Ms)), p95 \(ms(stats.p95Ms)), max \(ms(stats.maxMs)) over \(stats.recovered) fault(s)"
            + (unrecovered > 0 ? ", \(unrecovered) without recovery" : "")
    }
}
