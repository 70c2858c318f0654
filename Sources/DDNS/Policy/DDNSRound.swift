import Foundation
import History
import InternetAddress

/// One pass over the DDNS records: decide each by the policy, send what is due, check DNS after an
/// update, and record every attempt and the record's new state in the history.
///
/// An actor because it remembers, between rounds of one daemon, which updated records still
/// await a DNS re-check; everything that must survive a restart lives in the history.
public actor DDNSRound {
    /// Waits before each DNS re-check after an update that DNS did not show yet. Propagation
    /// normally settles within minutes; three looks spread over hours are enough, and a lookup
    /// never triggers another update (the provider's answer is authoritative).
    public static let defaultRecheckDelays: [Duration] = [.seconds(5 * 60), .seconds(30 * 60), .seconds(2 * 3600)]

    private let history: HistoryStore
    private let clock: @Sendable () -> Date
    private let recheckDelays: [Duration]
    private var pendingRechecks: [String: PendingRecheck] = [:]
    private var running = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    struct PendingRecheck {
        var address: IPAddress
        var due: Date
        var checksDone: Int
    }

    public init(history: HistoryStore, clock: @escaping @Sendable () -> Date = { Date() },
                recheckDelays: [Duration] = DDNSRound.defaultRecheckDelays) {
        self.history = history
        self.clock = clock
        self.recheckDelays = recheckDelays
    }

    /// Runs one round over `records`, one after the other (requests to one provider are never
    /// concurrent). `dryRun`: decide and report what would be sent; no request, no DNS lookup,
    /// nothing saved. `force`: see `DDNSPolicy.decide`.
    ///
    /// Rounds never overlap: a second caller (the daemon's timer and `homeport ddns update` at the
    /// same moment) waits, then sees the first one's results, so no record is sent twice.
    public func run(_ records: [RoundRecord], dryRun: Bool = false, force: Bool = false) async -> [RoundRecordReport] {
        while running {
            await withCheckedContinuation { waiting.append($0) }
        }
        running = true
        defer {
            running = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        var reports: [RoundRecordReport] = []
        for record in records {
            reports.append(await run(record, dryRun: dryRun, force: force))
        }
        return reports
    }

    /// Whether an updated record still awaits a DNS re-check (for status output and tests).
    public func awaitsRecheck(key: String) -> Date? {
        pendingRechecks[key]?.due
    }

    private func run(_ record: RoundRecord, dryRun: Bool, force: Bool) async -> RoundRecordReport {
        let now = clock()
        let key = record.key
        // Every path below sets the outcome; until then, "history not read" is the honest one.
        var report = RoundRecordReport(provider: record.provider, hostname: record.hostname, family: record.family,
                                       address: record.desiredAddress, outcome: .skipped(.historyUnavailable), reason: "",
                                       dryRun: dryRun)
        let stored: DDNSRecordState?
        do {
            stored = try history.ddnsRecordState(key: key)
        } catch {
            // Without the last confirmed address any request could be a repeated `nochg`; wait.
            report.reason = DDNSSkipReason.historyUnavailable.explanation
            report.message = "\(error)"
            return report
        }

        var state = stored
        if !dryRun, let current = state, let (checked, note) = await recheckIfDue(record, state: current, now: now) {
            state = checked
            report.dnsCheck = note.check
            report.dnsConfirmed = note.confirmed
            report.message = checked.lastMessage
            do {
                try await history.save(checked)
            } catch {
                report.historyError = "\(error)"
            }
        }

        let decision = DDNSPolicy.decide(state: state, desiredAddress: record.desiredAddress, fingerprint: record.fingerprint,
                                         rules: record.rules, now: now, force: force)
        report.reason = decision.description
        report.stopped = state?.stopped ?? false
        report.nextAttemptAt = state?.nextAttemptAt
        switch decision {
        case .skip(let reason):
            report.outcome = .skipped(reason)
            if let until = reason.until { report.nextAttemptAt = until }
            return report
        case .attempt:
            break
        }
        if dryRun {
            report.outcome = .wouldUpdate
            return report
        }

        let answer = await record.attempt(record.desiredAddress)
        var outcome = answer.outcome
        var message = answer.message.map { PolicyMessage.redacted($0, secrets: record.secrets) }
        if !outcome.isAnswer {
            message = join("engine reported \(PolicyMessage.redacted(outcome.text, secrets: record.secrets)), which is no provider answer", message)
            outcome = .error
        }

        pendingRechecks[key] = nil
        if outcome == .updated, let confirm = record.confirm {
            let check = await confirm(record.hostname, record.desiredAddress)
            let note = describe(check, address: record.desiredAddress, afterUpdate: true)
            report.dnsCheck = note.check
            report.dnsConfirmed = note.confirmed
            message = join(message, note.text)
            if case .mismatch = check, let first = recheckDelays.first {
                pendingRechecks[key] = PendingRecheck(address: record.desiredAddress, due: now.addingTimeInterval(first.policySeconds),
                                                      checksDone: 0)
                message = join(message, "re-checking DNS at \(PolicyTime.text(now.addingTimeInterval(first.policySeconds)))")
            }
        }
        message = message.map { PolicyMessage.sanitized($0, secrets: record.secrets) }

        let result = PolicyAttemptResult(address: record.desiredAddress, fingerprint: record.fingerprint, outcome: outcome,
                                         message: message, retryAfter: answer.retryAfter)
        let before = state ?? DDNSPolicy.initialState(provider: record.provider, hostname: record.hostname,
                                                      family: record.family, fingerprint: record.fingerprint)
        let after = DDNSPolicy.apply(result: result, to: before, rules: record.rules, now: now)
        let row = DDNSResult(time: now, provider: record.provider, hostname: record.hostname, address: record.desiredAddress,
                             outcome: outcome, message: after.lastMessage)
        do {
            try await history.save(after, attempt: row)
        } catch {
            report.historyError = "\(error)"
        }
        report.outcome = outcome
        report.message = after.lastMessage
        report.nextAttemptAt = after.nextAttemptAt
        report.stopped = after.stopped
        return report
    }

    /// A due re-check of an update DNS did not show yet: looks again and notes the result in the
    /// record's message. Never leads to another update.
    private func recheckIfDue(_ record: RoundRecord, state: DDNSRecordState, now: Date) async
        -> (DDNSRecordState, (check: String, confirmed: Bool?, text: String))? {
        let key = record.key
        guard let pending = pendingRechecks[key] else { return nil }
        guard let confirm = record.confirm, pending.address == record.desiredAddress,
              state.configFingerprint == record.fingerprint else {
            pendingRechecks[key] = nil
            return nil
        }
        guard now >= pending.due else { return nil }
        let check = await confirm(record.hostname, pending.address)
        var note = describe(check, address: pending.address, afterUpdate: false)
        let done = pending.checksDone + 1
        if case .mismatch = check, done < recheckDelays.count {
            let due = now.addingTimeInterval(recheckDelays[done].policySeconds)
            pendingRechecks[key] = PendingRecheck(address: pending.address, due: due, checksDone: done)
            note.text += "; re-checking DNS at \(PolicyTime.text(due))"
        } else {
            pendingRechecks[key] = nil
            if case .mismatch = check {
                note.text += "; giving up re-checking (the provider accepted the update; a proxied name or a slow secondary can cause this)"
            }
        }
        var checked = state
        checked.lastMessage = PolicyMessage.sanitized(note.text, secrets: record.secrets)
        return (checked, note)
    }

    private func describe(_ check: RoundConfirmResult, address: IPAddress, afterUpdate: Bool)
        -> (check: String, confirmed: Bool?, text: String) {
        switch check {
        case .confirmed:
            return ("confirmed", true, "DNS shows \(address)")
        case .mismatch(let seen):
            let shown = seen.isEmpty ? "no address" : seen.map(\.description).joined(separator: ", ")
            let why = afterUpdate ? " yet (propagating)" : ""
            return ("mismatch", false, "DNS shows \(shown), not \(address)\(why)")
        case .unavailable(let reason):
            return ("unavailable", nil, "DNS check not possible: \(reason)")
        }
    }

    private func join(_ first: String?, _ second: String?) -> String? {
        switch (first, second) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (let a?, let b?): return a.isEmpty ? b : "\(a); \(b)"
        }
    }
}
