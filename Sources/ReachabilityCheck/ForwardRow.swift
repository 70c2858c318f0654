import InternetAddress

/// The row a person types into the router's port-forwarding page for one server port.
public enum ForwardRow {
    public static func text(_ port: ServerPort, to lanAddress: IPAddress?) -> String {
        let target = lanAddress.map { "\($0)" } ?? "this computer's LAN address"
        return "on the router's port-forwarding page: \(port.transport.rawValue.uppercased()), external port \(port.port) "
            + "→ \(target), internal port \(port.port)"
    }
}
