import InternetAddress

/// The row a person types into the router's port-forwarding page for one server port:
/// protocol, external port, this host's LAN address, internal port.
public enum ForwardRow {
    public static func text(_ port: ServerPort, to lanAddress: IPAddress?) -> String {
        let target = lanAddress.map { "\($0)" } ?? "this computer's LAN address"
        return "\(port.transport.rawValue.uppercased()) \(port.port) → \(target) port \(port.port) (\(port.purpose))"
    }
}
