/// The ports the built-in servers take, and the collisions between them and with the services'
/// health checks. The rendezvous server listens on TCP port − 1 (NAT test), port and port + 2
/// (WebSocket) and on UDP port; the relay on TCP port and port + 2 (WebSocket)
/// (docs/rustdesk-protocol.md#ports).
public enum BuiltinServerPorts {
    /// The lowest rendezvous port, the same as `homeport rendezvous -p` takes
    /// (docs/rustdesk-protocol.md#ports).
    public static let lowestRendezvousPort = 3
    /// Both servers' WebSocket port is port + 2.
    public static let highestPort = 65533

    public static func rendezvousTCP(_ port: Int) -> [Int] { [port - 1, port, port + 2] }
    public static func relayTCP(_ port: Int) -> [Int] { [port, port + 2] }

    /// Why the enabled rendezvous and relay servers cannot both listen, or nil when they can.
    static func collision(rendezvous: BuiltinServerSettings, relay: BuiltinServerSettings) -> String? {
        guard rendezvous.enabled, relay.enabled else { return nil }
        let shared = rendezvousTCP(rendezvous.port).filter(relayTCP(relay.port).contains)
        guard !shared.isEmpty else { return nil }
        return "\(rendezvousUse(rendezvous.port)) and \(relayUse(relay.port)): both would listen on TCP \(list(shared)); "
            + "pick ports that do not overlap, for example the defaults [rendezvous] port = 21116 and [relay] port = 21117"
    }

    /// Why a service's TCP health check on `healthPort` would reach a built-in server, one
    /// sentence per server it collides with.
    static func collisions(healthPort: Int, service: String, rendezvous: BuiltinServerSettings, relay: BuiltinServerSettings) -> [String] {
        var messages: [String] = []
        for (name, settings, use) in [("rendezvous", rendezvous, rendezvousUse(rendezvous.port)), ("relay", relay, relayUse(relay.port))] {
            let ports = name == "rendezvous" ? rendezvousTCP(settings.port) : relayTCP(settings.port)
            guard settings.enabled, ports.contains(healthPort) else { continue }
            messages.append("'health' in \(service) checks TCP port \(healthPort), which the built-in \(name) server takes (\(use)); "
                + "the check would reach that server instead of the service, and the service could not listen there: "
                + "give the service another port, or move [\(name)] port")
        }
        return messages
    }

    private static func rendezvousUse(_ port: Int) -> String {
        "[rendezvous] port = \(port) takes TCP \(list(rendezvousTCP(port))) (port − 1, port, port + 2) and UDP \(port)"
    }

    private static func relayUse(_ port: Int) -> String {
        "[relay] port = \(port) takes TCP \(list(relayTCP(port))) (port, port + 2)"
    }

    private static func list(_ ports: [Int]) -> String {
        let texts = ports.map(String.init)
        guard texts.count > 1 else { return texts.joined() }
        return texts.dropLast().joined(separator: ", ") + " and " + (texts.last ?? "")
    }
}
