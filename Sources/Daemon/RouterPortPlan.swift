import Config
import PortMapping

/// The router mappings the enabled built-in servers need: the ports a RustDesk client must
/// reach from outside.
public enum RouterPortPlan {
    public struct Entry: Sendable, Equatable {
        public var service: String
        public var request: MappingRequest
    }

    public static func entries(for config: HomeportConfig) -> [Entry] {
        let lifetime = UInt32(clamping: config.router.lease.components.seconds)
        func entry(_ service: String, _ proto: TransportProtocol, _ port: Int, _ role: String) -> Entry {
            Entry(service: service, request: MappingRequest(proto: proto, internalPort: UInt16(clamping: port), externalPort: UInt16(clamping: port),
                                                            lifetime: lifetime, description: "homeport \(service) \(role)"))
        }
        var entries: [Entry] = []
        if config.rendezvous.enabled {
            let p = config.rendezvous.port
            entries += [entry("rendezvous", .tcp, p - 1, "NAT test"), entry("rendezvous", .tcp, p, "ID"),
                        entry("rendezvous", .udp, p, "ID"), entry("rendezvous", .tcp, p + 2, "WebSocket")]
        }
        if config.relay.enabled {
            let p = config.relay.port
            entries += [entry("relay", .tcp, p, "relay"), entry("relay", .tcp, p + 2, "WebSocket")]
        }
        // Another home's `homeport check` reaches the outside probe ([probe]) from outside.
        if config.probe.enabled, let port = config.probe.listenPort {
            entries.append(entry("probe", .tcp, port, "outside probe"))
        }
        return entries
    }
}
