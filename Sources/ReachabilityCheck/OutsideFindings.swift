import Foundation
import History
import InternetAddress
import Probe
import StatusModel

/// Each server port as seen from the internet: what the outside probe found, or else what the
/// servers themselves saw arrive from public addresses (passive evidence), or "not verified".
public enum OutsideFindings {
    /// What happened when the probe was asked.
    public enum ProbeRun: Sendable {
        /// No probe configured or `--no-probe`.
        case none
        case failed(String)
        case answered(ProbeAnswer)
    }

    /// How recent an outside contact must be to count as proof that a port works from outside.
    public static let evidenceWindow: TimeInterval = 7 * 86400

    public static func findings(_ run: ProbeRun, ports: [ServerPort], contacts: [ListenerContactStatus], lanAddress: IPAddress?, now: Date) -> [CheckFinding] {
        var findings: [CheckFinding] = []
        var answered: ProbeAnswer?
        switch run {
        case .none:
            break
        case .failed(let reason):
            findings.append(CheckFinding(id: "outside.probe", topic: .outside, outcome: .unknown, title: "The outside probe could not be asked",
                                         details: [reason], fixes: ["check the probe's URL and token ([check] probe, probe_token_file, or --probe)"]))
        case .answered(let answer):
            answered = answer
        }
        let topic: CheckTopic = answered?.address.family == .ipv6 ? .ipv6 : .outside
        let tested = answered.map { " (the probe tested \($0.address))" } ?? ""
        for port in ports {
            let id = "\(topic == .ipv6 ? "ipv6" : "outside").\(port.key)"
            let title = "\(port.label) (\(port.purpose))"
            if let answer = answered,
               let result = answer.results.first(where: { $0.port == port.port && $0.transport.rawValue == port.transport.rawValue }) {
                var finding = probeFinding(id: id, topic: topic, title: title, result: result, tested: tested, port: port, lanAddress: lanAddress)
                finding.seenFromOutside = result.result
                findings.append(finding)
                continue
            }
            if let contact = evidence(for: port, in: contacts, now: now) {
                findings.append(CheckFinding(id: id, topic: .outside, outcome: .pass,
                                             title: "\(title): last outside \(contact.kind.words) \(StatusFindings.ago(contact.at, now: now)) from \(contact.source)",
                                             details: ["The server saw it arrive from a public address, so forwarding works (passive evidence, no probe)."]))
                continue
            }
            findings.append(CheckFinding(id: id, topic: .outside, outcome: .unknown, title: "\(title): not verified from outside",
                                         details: ["No probe answered for this port and no outside client has reached it in the last 7 days."],
                                         fixes: ["run `homeport probe serve` on a machine outside the home (a VPS), then `homeport check --probe https://HOST:21120` (README: \"Running an outside probe on a VPS\")"]))
        }
        return findings
    }

    static func probeFinding(id: String, topic: CheckTopic, title: String, result: ProbeAnswer.PortResult, tested: String, port: ServerPort, lanAddress: IPAddress?) -> CheckFinding {
        let latency = result.latencyMilliseconds.map { String(format: ", %.0f ms", $0) } ?? ""
        switch result.result {
        case .open:
            return CheckFinding(id: id, topic: topic, outcome: .pass, title: "\(title) open from outside\(latency)", details: [result.detail + tested])
        case .closed:
            return CheckFinding(id: id, topic: topic, outcome: .fail, title: "\(title) closed from outside: refused",
                                details: [result.detail + tested, "The router (or the host it forwards to) answered that nothing listens there."],
                                fixes: ["forward it to this host: " + ForwardRow.text(port, to: lanAddress), "and check that homeport listens (the listener lines above)"])
        case .filtered:
            return CheckFinding(id: id, topic: topic, outcome: .fail, title: "\(title) filtered from outside: no answer",
                                details: [result.detail + tested, "Not forwarded by the router, or dropped by a firewall on the way."],
                                fixes: ["forward it: " + ForwardRow.text(port, to: lanAddress), "allow it in the router's firewall (and this host's, see the firewall lines)"])
        case .other:
            return CheckFinding(id: id, topic: topic, outcome: .fail, title: "\(title): something else answered from outside",
                                details: [result.detail + tested, "The router serves its own page on that port, or forwards it to another program."],
                                fixes: ["forward it to this host: " + ForwardRow.text(port, to: lanAddress)])
        }
    }

    static func evidence(for port: ServerPort, in contacts: [ListenerContactStatus], now: Date) -> OutsideContact? {
        contacts.first { $0.port == port.port && $0.transport.rawValue == port.transport.rawValue && listenerMatches($0.listener, port.role) }?
            .lastOutsideContact.flatMap { now.timeIntervalSince($0.at) <= evidenceWindow ? $0 : nil }
    }

    static func listenerMatches(_ listener: BuiltinListener, _ role: ServerPort.Role) -> Bool {
        switch role {
        case .natTest: listener == .natTest
        case .idServer: listener == .rendezvousTCP || listener == .rendezvousUDP
        case .idServerWebSocket: listener == .rendezvousWebSocket
        case .relay: listener == .relayTCP
        case .relayWebSocket: listener == .relayWebSocket
        }
    }
}
