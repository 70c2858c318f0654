import Foundation

/// One row of the time series: the three processes, legitimate attempts and hostile activity
/// in the interval that ended at `seconds`.
struct Row: Sendable {
    var seconds: Int
    var processes: [String: ProcessSample]
    var counters: [String: Int]
}

/// The table printed as the run goes, the CSV, and the closing summary.
struct Report {
    static let names = ["daemon", "rendezvous", "relay"]

    var rows: [Row] = []
    /// Process identities seen per name: a second pid means the supervisor restarted it.
    var pids: [String: [Int32]] = [:]
    var warmup: Int
    var maxGrowthMB: Double

    /// `text` padded to `width` (right-aligned unless `left`).
    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }

    static func mb(_ kb: Int) -> String { String(format: "%.1f", Double(kb) / 1024) }

    static var header: String {
        "     t | RSS MiB: daemon rendezv   relay | fds: daemon rendezv relay | legit ok/n | hostile open  conn/s  udp/s  WS MiB/s"
    }

    mutating func add(_ row: Row) -> String {
        let previous = rows.last
        rows.append(row)
        for (name, sample) in row.processes where pids[name]?.last != sample.pid {
            pids[name, default: []].append(sample.pid)
        }
        func cell(_ name: String, _ value: (ProcessSample) -> String, width: Int) -> String {
            let text = row.processes[name].map(value) ?? "—"
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        func delta(_ key: String) -> Int { (row.counters[key] ?? 0) - (previous?.counters[key] ?? 0) }
        let span = max(1, row.seconds - (previous?.seconds ?? 0))
        let ok = delta("legit.ok"), failed = delta("legit.fail")
        let connections = row.counters.filter { $0.key.hasPrefix("conn.") }.values.reduce(0, +)
            - (previous?.counters.filter { $0.key.hasPrefix("conn.") }.values.reduce(0, +) ?? 0)
        let open = row.counters.filter { $0.key.hasPrefix("open.") }.values.reduce(0, +)
        let fields = [
            String(format: "%6d |", row.seconds),
            cell("daemon", { Self.mb($0.rssKB) }, width: 15), cell("rendezvous", { Self.mb($0.rssKB) }, width: 8),
            cell("relay", { Self.mb($0.rssKB) }, width: 8), "|",
            cell("daemon", { "\($0.fds)" }, width: 11), cell("rendezvous", { "\($0.fds)" }, width: 8),
            cell("relay", { "\($0.fds)" }, width: 6), "|",
            String(format: "%5d/%-4d", ok, ok + failed), "|",
            String(format: "%12d %7d %6d %9.1f", open, connections / span, delta("udp.sent") / span,
                   Double(delta("ws.bytes")) / 1_048_576 / Double(span)),
        ]
        return fields.joined(separator: " ")
    }

    func csv() -> String {
        var lines = ["seconds," + Self.names.map { "\($0)_pid,\($0)_rss_kb,\($0)_fds" }.joined(separator: ",")
            + ",legit_ok_total,legit_fail_total,hostile_open,hostile_connections_total,udp_sent_total,ws_bytes_total"]
        for row in rows {
            var fields = ["\(row.seconds)"]
            for name in Self.names {
                if let sample = row.processes[name] {
                    fields += ["\(sample.pid)", "\(sample.rssKB)", "\(sample.fds)"]
                } else {
                    fields += ["", "", ""]
                }
            }
            let counters = row.counters
            fields += [
                "\(counters["legit.ok"] ?? 0)", "\(counters["legit.fail"] ?? 0)",
                "\(counters.filter { $0.key.hasPrefix("open.") }.values.reduce(0, +))",
                "\(counters.filter { $0.key.hasPrefix("conn.") }.values.reduce(0, +))",
                "\(counters["udp.sent"] ?? 0)", "\(counters["ws.bytes"] ?? 0)",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary lines and whether the run passes: 100 % legitimate success, total RSS
    /// growth after the warm-up within the bound, every process alive and never restarted.
    func summary(final counters: [String: Int]) -> (text: [String], passed: Bool) {
        var text: [String] = []
        guard let first = rows.first, let last = rows.last else { return (["soak: no samples"], false) }
        let warm = rows.first { $0.seconds >= warmup } ?? last
        text.append("process      pid      RSS MiB: start  warm-up    end    max | fds: start  end  max")
        var growthKB = 0
        var fdsMax = 0
        var alive = true
        for name in Self.names {
            let series = rows.compactMap { $0.processes[name] }
            guard let start = first.processes[name] ?? series.first else {
                text.append("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) never seen")
                alive = false
                continue
            }
            let end = last.processes[name]
            if end == nil { alive = false }
            let warmKB = warm.processes[name]?.rssKB ?? start.rssKB
            growthKB += (end?.rssKB ?? warmKB) - warmKB
            let maxRSS = series.map(\.rssKB).max() ?? 0
            let maxFds = series.map(\.fds).max() ?? 0
            fdsMax = max(fdsMax, maxFds)
            let pidText = (pids[name] ?? []).map { String($0) }.joined(separator: "→")
            text.append([pad(name, 12, left: true), pad(pidText, 8, left: true), pad(Self.mb(start.rssKB), 14),
                         pad(Self.mb(warmKB), 8), pad(end.map { Self.mb($0.rssKB) } ?? "gone", 6), pad(Self.mb(maxRSS), 6), "|",
                         pad("\(start.fds)", 10), pad(end.map { "\($0.fds)" } ?? "—", 4), pad("\(maxFds)", 4)].joined(separator: " "))
        }
        let restarts = pids.values.map { $0.count - 1 }.reduce(0, +)
        if restarts > 0 { text.append("restarts: \(pids.filter { $0.value.count > 1 }.map { "\($0.key) \($0.value.count - 1)" }.joined(separator: ", "))") }

        let ok = counters["legit.ok"] ?? 0, failed = counters["legit.fail"] ?? 0
        let total = ok + failed
        let percent = total == 0 ? 0 : Double(ok) * 100 / Double(total)
        let kinds = LegitClient.kinds.map { kind in
            let good = counters["legit.\(kind).ok"] ?? 0, bad = counters["legit.\(kind).fail"] ?? 0
            return "\(kind) \(good)/\(good + bad)"
        }
        text.append("legit: " + kinds.joined(separator: ", ")
            + " (UDP retransmissions \(counters["legit.udp-retransmit"] ?? 0), ConfigUpdates received \(counters["legit.config-update-received"] ?? 0))")
        let reasons = counters.filter { $0.key.hasPrefix("reason.") }.sorted { $0.value > $1.value }.prefix(8)
        for (reason, count) in reasons { text.append("  failed \(count)×: \(reason.dropFirst(7))") }
        text.append(contentsOf: Self.hostileLines(counters))

        let growthMB = Double(growthKB) / 1024
        let passed = total > 0 && failed == 0 && growthMB <= maxGrowthMB && alive && restarts == 0
        let notes = (restarts > 0 ? ", \(restarts) restart(s)" : "") + (alive ? "" : ", a process is gone")
        text.append("soak: rss growth \(String(format: "%.1f", growthMB)) MB (daemon+children, \(warm.seconds) s → \(last.seconds) s; "
            + "bound \(String(format: "%.0f", maxGrowthMB)) MB), fds max \(fdsMax), legit \(String(format: "%.1f", percent))% (\(ok)/\(total))"
            + notes + " — " + (passed ? "PASS" : "FAIL"))
        return (text, passed)
    }

    static func hostileLines(_ c: [String: Int]) -> [String] {
        func v(_ key: String) -> Int { c[key] ?? 0 }
        /// "n conns, k closed by the server, avg held s" for one kind of held connection.
        func held(_ prefix: String) -> String {
            let count = v(prefix)
            return "\(count) (\(v(prefix + ".closed-by-server")) closed by the server, avg held \(v(prefix + ".held-seconds") / max(1, count)) s)"
        }
        var lines = [
            "hostile: UDP \(v("udp.sent")) datagrams (\(v("udp.config-update")) ConfigUpdates); "
                + "malformed TCP \(v("conn.malformed")) conns (\(v("malformed.closed-by-server")) closed by the server within 3 s)",
            "  slowloris on P \(held("slowloris.P")), on R \(held("slowloris.R"))",
            "  parked relay \(v("conn.parked")) (\(v("parked.closed-by-server")) closed by the relay); "
                + "never-upgraded \(v("conn.no-upgrade")) (\(v("no-upgrade.closed-by-server")) closed by the server)",
            "  crowd from 127.0.0.77: \(v("conn.crowd")) conns; on P \(v("crowd.P.refused")) closed within 1 s, "
                + "\(v("crowd.P.closed-later")) later; on R \(v("crowd.R.refused")) within 1 s, \(v("crowd.R.closed-later")) later",
            "  WebSocket abuse \(v("conn.ws")) conns, \(v("ws.bytes") >> 20) MiB sent, \(v("ws.not-upgraded")) not upgraded, "
                + "\(v("ws.closed-by-server")) closed by the server; per variant (sessions/avg s held after the send/still open at 60 s):",
        ]
        let names = ["4MiB", "frag3MiB", "200junk", "text1MiB", "len2^62", "unmasked"]
        for side in ["P+2", "R+2"] {
            let cells = names.enumerated().map { index, name in
                let key = "ws.\(side).v\(index)"
                return "\(name) \(v(key))/\(v(key + ".held-seconds") / max(1, v(key)))s/\(v(key + ".still-open"))"
            }
            lines.append("    \(side): " + cells.joined(separator: ", "))
        }
        lines.append("  budget full \(v("budget-full"))×, connects failed \(c.filter { $0.key.hasPrefix("connect-failed.") }.values.reduce(0, +))")
        return lines
    }
}
