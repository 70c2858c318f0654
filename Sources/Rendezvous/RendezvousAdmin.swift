import Foundation
import RustDeskWire
import StatusModel

/// The admin functions rustdesk-server offers as a loopback text console, served instead on
/// the state directory's `rendezvous.sock` (mode 0600) so local clients can use the NAT-test
/// port normally. Each answer is one JSON document.
struct RendezvousAdmin: Sendable {
    let server: RendezvousServer

    static let commands = ["status", "relay-servers [a,b,…]", "always-use-relay [Y|N]", "ip-blocker",
                           "config-update [serial [a,b,…]]"]

    func handle(_ command: String, _ arguments: [String]) async -> [UInt8] {
        let core = server.core
        switch command {
        case "status":
            return encode(server.summary())
        case "relay-servers", "rs":
            if let list = arguments.first { core.relays.replace(with: RelayServerList.parse(list)) }
            return encode(["relay_servers": core.relays.all])
        case "always-use-relay", "aur":
            if let value = arguments.first { core.alwaysUseRelay.store(value.uppercased() == "Y", ordering: .relaxed) }
            return encode(["always_use_relay": core.alwaysUseRelay.load(ordering: .relaxed)])
        case "ip-blocker", "ib":
            return encode(["ip_blocker": core.table.blockerSummary(now: core.clock.now())])
        case "config-update", "cu":
            // What rustdesk-server took as a ConfigUpdate datagram from loopback (see
            // RendezvousCore.handleDatagram): the serial, then the servers (none if omitted).
            if let text = arguments.first {
                do {
                    let serial = try RangedNumber.integer(text, name: "serial", in: RendezvousSettings.serialRange)
                    core.announce(serial: serial, servers: arguments.dropFirst().first.map(RelayServerList.parse) ?? [])
                } catch {
                    return encode(["error": error.description])
                }
            }
            let announced = core.announced
            return encode(AnnouncedServers(serial: Int(announced.serial), rendezvousServers: announced.servers))
        default:
            return encode(["error": "unknown command '\(command)'; known: \(Self.commands.joined(separator: ", "))"])
        }
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(StatusJSON.encoder().encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}

/// The answer to `config-update`.
struct AnnouncedServers: Encodable {
    var serial: Int
    var rendezvousServers: [String]

    enum CodingKeys: String, CodingKey {
        case serial
        case rendezvousServers = "rendezvous_servers"
    }
}

extension RendezvousServer {
    public func summary() -> RendezvousSummary {
        var summary = RendezvousSummary(
            port: settings.port,
            publicKey: core.signer?.publicKeyBase64,
            licenceKeyEnforced: !(core.licenceKey ?? "").isEmpty,
            onlinePeers: onlineCount(),
            peersInMemory: registeredInMemory,
            peersInDatabase: try? core.store.count(),
            relayServers: core.relays.all,
            alwaysUseRelay: core.alwaysUseRelay.load(ordering: .relaxed),
            counters: stats.snapshot)
        summary.outsideContacts = core.contacts.contacts
        return summary
    }

    /// Handler for the admin socket (ControlSocket's `ControlServer`).
    public var adminHandler: @Sendable (String, [String]) async -> [UInt8] {
        let admin = RendezvousAdmin(server: self)
        return { command, arguments in await admin.handle(command, arguments) }
    }

    /// Periodic housekeeping: the relay health check every 3 s, once a minute bounded memory
    /// for the IP limiter and the live peer table, and hourly (first a minute after start)
    /// the ids a flood created (`UnconfirmedPeers`).
    public func maintain() async {
        var ticks = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3))
            await core.relays.checkReachability()
            sources.flush()
            ticks += 1
            if ticks % 20 == 0 {
                let now = core.clock.now()
                core.table.pruneBlocker(now: now)
                core.table.evictIdle(now: now)
            }
            if ticks % 1200 == 20 {
                // Counted in status as unconfirmed_ids_pruned.
                await core.pruneUnconfirmedIDs()
            }
        }
    }
}
