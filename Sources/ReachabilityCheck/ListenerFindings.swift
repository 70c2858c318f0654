import HostInspection

/// Is each server port bound on this host, and by whom: homeport's own server (pass), nothing
/// (fail: the server is not running), or another program (fail, naming it and the way out).
public enum ListenerFindings {
    public static func finding(_ port: ServerPort, _ occupancy: PortOccupancy) -> CheckFinding {
        let id = "listener.\(port.key)"
        let title = "\(port.label) (\(port.purpose))"
        switch occupancy {
        case .free:
            return CheckFinding(id: id, topic: .listener, outcome: .fail, title: "\(title): nothing listens on this host",
                                fixes: ["start homeport (`homeport run`, or `sudo systemctl start homeport`); `homeport status` shows whether the \(port.role == .relay || port.role == .relayWebSocket ? "relay" : "ID server") runs"])
        case .couldNotInspect(let reason):
            return CheckFinding(id: id, topic: .listener, outcome: .unknown, title: "\(title): listeners could not be listed", details: [reason])
        case .heldBy(let owners):
            let others = owners.filter { !$0.isOurs }
            if others.isEmpty {
                let local = owners.allSatisfy(\.isLoopbackOnly)
                return CheckFinding(id: id, topic: .listener, outcome: local ? .fail : .pass,
                                    title: local ? "\(title): homeport listens on loopback only" : "\(title) is bound by homeport",
                                    details: owners.map(\.description))
            }
            return CheckFinding(id: id, topic: .listener, outcome: .fail, title: "\(title) is held by another program",
                                details: others.map(\.description),
                                fixes: others.compactMap(\.resolution) + ["or give homeport other ports: [rendezvous] port / [relay] port in the config"])
        }
    }

    public static func inspectedPort(_ port: ServerPort) -> InspectedPort {
        InspectedPort(port.transport == .udp ? .udp : .tcp, UInt16(clamping: port.port))
    }
}
