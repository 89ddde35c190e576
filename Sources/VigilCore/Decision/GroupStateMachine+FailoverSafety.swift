/// Step 2 of a failover: the old primary must be unable to accept writes before anyone is
/// promoted. Proof (fenced, dead, deposed-and-fenced) lets us go at once; otherwise we wait
/// for its self-fencing lease by the `LeaseContract` arithmetic.
extension GroupStateMachine {
    enum Safety: Sendable, Hashable {
        case safe(OldPrimarySafety)
        case after(Instant)
        case unbounded(vouchers: [String])
    }

    /// Durable facts: once true they stay true (a restarted server comes up read-only and its
    /// agent fences it; only a word naming it could lift that, and none will).
    mutating func noteSafetyFacts(_ progress: inout FailoverProgress, turn: inout Turn) {
        guard progress.oldPrimarySafety == nil, let old = progress.from else { return }
        if health[old]?.isDeathProven == true {
            progress.oldPrimarySafety = .deathProven
            turn.note(.oldPrimaryDeathProven, "\(old)'s agent saw mysqld down")
        } else if let heard = reports[old], heard.report.term >= progress.term,
            heard.report.fence == .fenced || heard.report.server.isDown
        {
            progress.oldPrimarySafety = .deposedAndFenced
            turn.note(.oldPrimaryKnowsDeposed, "\(old)'s agent holds term \(heard.report.term) and is fenced")
        }
    }

    func oldPrimarySafety(_ progress: FailoverProgress) -> Safety {
        if let safety = progress.oldPrimarySafety { return .safe(safety) }
        guard let old = progress.from else { return .safe(.noOldPrimary) }
        let contract = config.lease
        // Its agent knows it is deposed: it fenced at once and kills mysqld if that hangs.
        let knowsDeposed = ledger.firstHeard(old, atOrAbove: progress.term).map {
            contract.promotionAllowed(afterDeposedReportAt: $0)
        }
        switch ledger.writesEnd(for: old, deposedIn: progress.term, peers: names) {
        case .at(let end):
            return .after(min(end, knowsDeposed ?? end))
        case .unbounded(let vouchers):
            return knowsDeposed.map { .after($0) } ?? .unbounded(vouchers: vouchers)
        }
    }

    /// Moves on to choosing once the old primary is safe; returns whether it did.
    mutating func leaseCheck(_ progress: inout FailoverProgress, purpose: Purpose, turn: inout Turn) -> Bool {
        let now = turn.now
        switch oldPrimarySafety(progress) {
        case .safe:
            move(&progress, to: .choosing, now: now)
            return true
        case .after(let until) where now >= until:
            progress.oldPrimarySafety = .leaseExpired
            turn.note(.leaseExpired, "\(progress.from ?? "-")'s lease certainly ran out at \(until)")
            move(&progress, to: .choosing, now: now)
            return true
        case .after(let until):
            if progress.step != .awaitingLease(until: until) {
                if case .awaitingLease = progress.step {
                    progress.step = .awaitingLease(until: until)
                } else {
                    move(&progress, to: .awaitingLease(until: until), now: now)
                }
                issue(.waitUntil(until, why: .leaseExpiry), for: purpose, turn: &turn)
                turn.note(.awaitingLease, "\(progress.from ?? "-") may still be writable until \(until)")
            }
            turn.standing = Reason(.awaitingLease, "until \(until)")
            return false
        case .unbounded(let vouchers):
            let blocked = BlockReason.oldPrimaryMayBeWritable(vouchers: vouchers)
            if progress.blocked != blocked {
                progress.blocked = blocked
                turn.note(.leaseUnverifiable, "\(vouchers.joined(separator: ", ")) may still vouch for \(progress.from ?? "-")")
            }
            return false
        }
    }
}
