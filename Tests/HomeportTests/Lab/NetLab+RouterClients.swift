import Foundation

/// The stock clients (miniupnpc's `upnpc`, `natpmpc`) run from the home, as independent
/// witnesses of what the router says and does.
extension NetLab {
    struct UPnPMapping: Sendable, Equatable {
        var transport: String
        var externalPort: Int
        var internalAddress: String
        var internalPort: Int
    }

    /// `upnpc -u <rootDesc> …` in the home. `-u` because upnpc, like miniupnpd, refuses to use
    /// an IGD whose external address is reserved unless pointed at it.
    func upnpc(_ arguments: [String]) async throws -> Homeport.Output {
        try await exec(.home, ["upnpc", "-u", rootDescURL] + arguments, timeout: 15)
    }

    /// What the router reports as its external address over UPnP: "" for an empty report,
    /// nil when upnpc got no answer at all.
    func upnpExternalAddress() async throws -> String? {
        let output = try await upnpc(["-s"])
        for line in output.stdout.split(separator: "\n") {
            if line.hasPrefix("ExternalIPAddress =") {
                return line.dropFirst("ExternalIPAddress =".count).trimmingCharacters(in: .whitespaces)
            }
            // upnpc's words for an IGD that answers with an empty NewExternalIPAddress.
            if line.hasPrefix("GetExternalIPAddress failed. (empty string)") { return "" }
        }
        return nil
    }

    /// The router's mapping table as `upnpc -l` lists it, e.g.
    /// ` 0 UDP 25000->192.168.77.2:25000 'libminiupnpc' '' 604799`.
    func upnpMappings() async throws -> [UPnPMapping] {
        let output = try await upnpc(["-l"])
        return output.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, Int(fields[0]) != nil, fields[1] == "TCP" || fields[1] == "UDP" else { return nil }
            let parts = fields[2].split(separator: ">")
            guard parts.count == 2, let external = Int(parts[0].dropLast()) else { return nil }
            let inside = parts[1].split(separator: ":")
            guard inside.count == 2, let internalPort = Int(inside[1]) else { return nil }
            return UPnPMapping(transport: String(fields[1]), externalPort: external, internalAddress: String(inside[0]), internalPort: internalPort)
        }
    }

    /// What the router answers to a NAT-PMP external-address request; nil without an answer
    /// carrying an address (no NAT-PMP, or "network failure" for a reserved WAN address).
    func natpmpPublicAddress() async throws -> String? {
        // natpmpc retries for about a minute when nobody answers; a router that answers does so in ms.
        let output = try await exec(.home, ["natpmpc", "-g", routerLANAddress], timeout: 3)
        guard let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Public IP address :") }) else { return nil }
        return line.dropFirst("Public IP address :".count).trimmingCharacters(in: .whitespaces)
    }
}
