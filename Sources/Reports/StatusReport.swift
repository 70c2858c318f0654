import Foundation
import StatusModel

/// `homeport status` for people: a few lines, the important facts first.
public enum StatusReport {
    public static func render(_ status: DaemonStatus, now: Date, style: Style, unreachableReason: String? = nil) -> String {
        var lines: [String] = []
        let daemon = status.daemon
        if daemon.running {
            var head = "homeport \(daemon.version ?? "") is " + style.green("running")
            if let since = daemon.since { head += " since \(TimeText.minute(since)) (\(TimeText.span(now.timeIntervalSince(since))))" }
            if let pid = daemon.pid { head += ", pid \(pid)" }
            lines.append(head)
        } else {
            lines.append(style.red("homeport is not running") + (unreachableReason.map { " (\($0))" } ?? "") + ".")
            if let since = daemon.since, let lastSeen = daemon.lastSeen {
                let ending = daemon.lastRunEndedCleanly == true
                    ? "stopped cleanly"
                    : "ended without a clean stop (last heartbeat; power cut, crash or kill)"
                lines.append("Last run: \(TimeText.minute(since)) to \(TimeText.minute(lastSeen)), \(ending), \(TimeText.relative(lastSeen, now: now)).")
            } else {
                lines.append("It has never run with this state directory.")
            }
        }
        lines.append(style.dim("state: \(daemon.stateDirectory)   config: \(daemon.configFile ?? "built-in defaults")"))
        lines.append("")
        if let publicIP = status.publicIP {
            lines.append(contentsOf: NetworkStatusLines.publicIP(publicIP, now: now, style: style))
            lines.append("")
        }
        if status.services.isEmpty {
            lines.append(daemon.running ? "No services configured. Add [[service]] entries (see `homeport config example`)." : "No services recorded.")
            lines.append(contentsOf: trailingSections(status, now: now, style: style))
            return WordWrap.fit(lines.joined(separator: "\n"))
        }
        if !daemon.running { lines.append("Last known state of each service:") }
        var table = TextTable(headers: ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT"])
        for service in status.services {
            let uptime = service.startedAt.map { TimeText.span(now.timeIntervalSince($0)) } ?? "-"
            var lastExit = service.lastExit.map { "\($0.reason), \(TimeText.relative($0.at, now: now))" } ?? "-"
            if let problem = service.problem { lastExit = problem }
            if let next = service.nextStartAt { lastExit += "; next start \(TimeText.relative(next, now: now))" }
            table.add([service.name, color(service, style: style, running: daemon.running), service.pid.map(String.init) ?? "-", uptime, String(service.restarts), lastExit])
        }
        lines.append(table.render())
        let unhealthy = status.services.filter { $0.healthy == false }
        for service in unhealthy {
            lines.append(style.yellow("\(service.name): health check \(service.health ?? "") failing: \(service.healthError ?? "")"))
        }
        if let rendezvous = status.rendezvous {
            lines.append("")
            lines.append(contentsOf: Self.rendezvousLines(rendezvous, style: style))
        }
        if let relay = status.relay {
            lines.append("")
            lines.append(contentsOf: Self.relayLines(relay, style: style))
        }
        if let contacts = status.outsideContacts, !contacts.isEmpty {
            lines.append("")
            lines.append(contentsOf: OutsideContactLines.section(contacts, now: now, style: style))
        }
        lines.append(contentsOf: trailingSections(status, now: now, style: style))
        return WordWrap.fit(lines.joined(separator: "\n"))
    }

    /// Port mappings and DDNS records, after the services.
    static func trailingSections(_ status: DaemonStatus, now: Date, style: Style) -> [String] {
        var lines: [String] = []
        if let mappings = status.portMappings, !mappings.isEmpty {
            lines.append("")
            lines.append(contentsOf: NetworkStatusLines.portMappings(mappings, now: now, style: style))
            if let forwards = status.manualPortForwards, !forwards.isEmpty {
                lines.append(contentsOf: NetworkStatusLines.manualPortForwards(forwards, style: style))
            }
        }
        if let records = status.ddns, !records.isEmpty {
            lines.append("")
            lines.append(contentsOf: NetworkStatusLines.ddns(records, now: now, style: style))
        }
        return lines
    }

    static func rendezvousLines(_ summary: RendezvousSummary, style: Style) -> [String] {
        let p = summary.port
        var lines = [style.bold("RustDesk ID server") + ": UDP+TCP \(p), TCP \(p - 1) (NAT test), TCP \(p + 2) (WebSocket)"]
        if let key = summary.publicKey {
            lines.append("  Key: \(key)" + (summary.licenceKeyEnforced ? "  (clients must use it)" : "  (not enforced)"))
        } else {
            lines.append("  Key: none; sessions are not end-to-end verified")
        }
        var peers = "  Peers: \(summary.onlinePeers) online, \(summary.peersInDatabase ?? summary.peersInMemory) registered"
        let dropped = (summary.counters["udp_malformed"] ?? 0) + (summary.counters["tcp_malformed"] ?? 0) + (summary.counters["tcp_oversized"] ?? 0)
        if dropped > 0 { peers += "; \(dropped) malformed packets dropped" }
        let capped = summary.counters["tcp_refused_per_source"] ?? 0
        if capped > 0 { peers += "; \(capped) connections refused (too many from one IP)" }
        lines.append(peers)
        if !summary.relayServers.isEmpty { lines.append("  Relay servers handed out: \(summary.relayServers.joined(separator: ", "))") }
        if summary.alwaysUseRelay { lines.append("  Every session is forced through the relay (ALWAYS_USE_RELAY).") }
        return lines
    }

    static func relayLines(_ summary: RelaySummary, style: Style) -> [String] {
        // The relay also serves WebSocket clients on port + 2 (docs/rustdesk-protocol.md#ports).
        let ports = "TCP \(summary.port), TCP \(summary.port + 2) (WebSocket)"
        var lines = [style.bold("RustDesk relay") + ": \(ports); " + (summary.licenceKeyEnforced ? "key required" : "open to any client")]
        lines.append("  Sessions: \(summary.activeSessions) active, \(summary.counters.paired) since start; \(ByteCountText.format(summary.bytesRelayed)) relayed")
        let counters = summary.counters
        let refused = counters.refusedKey + counters.refusedBlocklist + counters.refusedMalformed + counters.refusedTooManyWaiting
            + counters.refusedPerSource + counters.refusedOversized + counters.handshakeTimeouts
        if refused > 0 { lines.append("  Refused: \(refused) connections (wrong key, blocklist, malformed or oversized, too many from one IP, no handshake in time)") }
        return lines
    }

    private static func color(_ service: ServiceStatus, style: Style, running: Bool) -> String {
        let text = service.state.rawValue + (service.healthy == false ? " (unhealthy)" : "")
        guard running else { return text }
        switch service.state {
        case .running: return service.healthy == false ? style.yellow(text) : style.green(text)
        case .starting, .restarting, .stopping: return style.yellow(text)
        case .crashLooping, .portConflict: return style.red(text)
        case .stopped, .exited: return text
        }
    }
}
