import ControlSocket
import DDNS
import Foundation
import History
import Paths
import StatusModel
import Supervisor

/// The commands the daemon answers on its control socket.
struct ControlCommands: Sendable {
    let supervisor: Supervisor
    let current: CurrentConfig
    let info: DaemonInfo
    let network: NetworkState
    let history: HistoryStore

    private var layout: StateLayout { StateLayout(directory: info.stateDirectory) }

    static let names = ["ping", "status", "ddns-update [ip4=A] [ip6=A] [dry-run] [force]", "rendezvous <admin command>", "relay <admin command>"]

    func handle(_ command: String, _ arguments: [String]) async -> [UInt8] {
        switch command {
        case "status":
            var info = self.info
            let config = await current.config
            info.configFile = config.sourcePath
            var status = DaemonStatus(daemon: info, services: await supervisor.statuses())
            if config.rendezvous.enabled {
                status.rendezvous = await Self.summary(RendezvousSummary.self, socket: layout.rendezvousAdminSocket)
            }
            if config.relay.enabled {
                status.relay = await Self.summary(RelaySummary.self, socket: layout.relayAdminSocket)
            }
            status.publicIP = await network.publicIPStatus(history: history)
            status.portMappings = await network.portMappingStatuses()
            status.manualPortForwards = await network.manualPortForwards()
            status.ddns = await ddnsStatuses()
            status.outsideContacts = OutsideContactWriter.statusRows(config: config, rendezvous: status.rendezvous, relay: status.relay, history: history)
            // Shown once, in outside_contacts.
            status.rendezvous?.outsideContacts = nil
            status.relay?.outsideContacts = nil
            return encode(status)
        case DDNSRoundReply.command:
            guard let ddns = await network.ddns else { return encode(["error": "the daemon has no [[ddns]] entries"]) }
            let request: DDNSRoundReply.Request
            do {
                request = try DDNSRoundReply.Request(arguments: arguments)
            } catch {
                return encode(["error": error.description])
            }
            let (reports, problems) = await ddns.requestedRound(ipv4: request.ipv4, ipv6: request.ipv6, dryRun: request.dryRun, force: request.force)
            return encode(DDNSRoundReply(reports: reports, problems: problems))
        case "ping":
            return Array(#"{"ok":true}"#.utf8)
        case "rendezvous", "relay":
            // The built-in servers' admin functions, passed through to their own sockets.
            let socket = command == "relay" ? layout.relayAdminSocket : layout.rendezvousAdminSocket
            let forwarded = arguments.isEmpty ? "status" : arguments.joined(separator: " ")
            do {
                return try await ControlClient.request(socketPath: socket, command: forwarded, timeout: .seconds(5))
            } catch {
                return encode(["error": "the \(command) server does not answer: \(error)"])
            }
        default:
            return encode(["error": "unknown command '\(command)'; known commands: \(Self.names.joined(separator: ", "))"])
        }
    }

    /// The records the history knows, then configured records not tried yet, with what they
    /// wait for: a record is listed from the start, not only after its first attempt.
    private func ddnsStatuses() async -> [DDNSRecordStatus]? {
        var records = NetworkStatusFromHistory.ddns(history) ?? []
        for (target, addressKnown) in await network.ddns?.configuredRecords() ?? []
        where !records.contains(where: { $0.provider == target.provider && $0.hostname == target.hostname && $0.family == target.family }) {
            var record = DDNSRecordStatus(provider: target.provider, hostname: target.hostname, family: target.family)
            record.waitingFor = addressKnown ? .firstAttempt : .address
            records.append(record)
        }
        return records.isEmpty ? nil : records
    }

    /// Asked of a built-in server over its admin socket; nil while it is not up.
    static func summary<T: Decodable>(_ type: T.Type, socket: String) async -> T? {
        guard let reply = try? await ControlClient.request(socketPath: socket, command: "status", timeout: .seconds(1)) else {
            return nil
        }
        return try? JSONDecoder().decode(T.self, from: Data(reply))
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(StatusJSON.encoder().encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}
