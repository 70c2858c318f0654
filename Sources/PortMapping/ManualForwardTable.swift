import InternetAddress

/// One port forward a person must enter in the router's web interface by hand.
public struct ManualForwardRow: Sendable, Codable, Hashable {
    public var externalPort: UInt16
    public var proto: TransportProtocol
    public var internalAddress: IPAddress
    public var internalPort: UInt16
    public var description: String
}

/// When the router cannot be asked (no UPnP/NAT-PMP/PCP, or it refuses), these are the rows a
/// user types into its port-forwarding page.
public enum ManualForwardTable {
    public static func rows(for requests: [MappingRequest], localAddress: IPAddress) -> [ManualForwardRow] {
        var seen = Set<String>()
        var rows: [ManualForwardRow] = []
        for request in requests {
            let external = request.externalPort != 0 ? request.externalPort : request.internalPort
            guard seen.insert("\(request.proto.rawValue)/\(external)").inserted else { continue }
            rows.append(ManualForwardRow(externalPort: external, proto: request.proto, internalAddress: localAddress,
                                         internalPort: request.internalPort, description: request.description))
        }
        return rows.sorted { ($0.externalPort, $0.proto.rawValue) < ($1.externalPort, $1.proto.rawValue) }
    }

    /// A plain-text table with a header line.
    public static func render(_ rows: [ManualForwardRow]) -> String {
        let header = ["External port", "Protocol", "Internal IP", "Internal port", "Description"]
        let body = rows.map { [String($0.externalPort), $0.proto.rawValue.uppercased(), $0.internalAddress.description,
                               String($0.internalPort), $0.description] }
        let all = [header] + body
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var out = self
        while out.last == " " { out.removeLast() }
        return out
    }
}
