import InternetAddress
import PortMapping

/// What the router's own forward table (UPnP's listing) says about one server port: a forward
/// made by hand or by another program counts as much as one homeport made.
public enum RouterForwardFindings {
    /// nil when the table has no enabled forward of the port's number and transport; a pass when
    /// it points at this host and the same port; a failure naming where it points otherwise.
    public static func finding(_ port: ServerPort, forwards: [RouterForward], lanAddress: IPAddress?) -> CheckFinding? {
        let proto: TransportProtocol = port.transport == .tcp ? .tcp : .udp
        guard let forward = forwards.first(where: { $0.enabled && $0.proto == proto && Int($0.externalPort) == port.port }) else {
            return nil
        }
        let id = "router.\(port.key)"
        let title = "\(port.label) (\(port.purpose))"
        let target = "\(forward.internalClient):\(forward.internalPort)"
        let named = forward.description.isEmpty ? [] : ["The router names the forward \"\(forward.description.prefix(80))\"."]
        guard let lanAddress else {
            return CheckFinding(id: id, topic: .router, outcome: .unknown,
                                title: "\(title): forwarded on the router to \(target) (UPnP listing), but this host's LAN address is unknown",
                                details: named)
        }
        if forward.internalClient == lanAddress && Int(forward.internalPort) == port.port {
            return CheckFinding(id: id, topic: .router, outcome: .pass, title: "\(title) forwarded on the router to \(target) (UPnP listing)",
                                details: named)
        }
        let upper = port.transport.rawValue.uppercased()
        let wrong = forward.internalClient == lanAddress
            ? "the router forwards \(upper) \(port.port) to port \(forward.internalPort) of this host, not to port \(port.port)"
            : "the router forwards \(upper) \(port.port) to \(forward.internalClient), not to this host \(lanAddress)"
        return CheckFinding(id: id, topic: .router, outcome: .fail, title: "\(title): \(wrong)", details: named,
                            fixes: ["remove the forward to \(target) on the router, then forward:", ForwardRow.text(port, to: lanAddress)])
    }
}
