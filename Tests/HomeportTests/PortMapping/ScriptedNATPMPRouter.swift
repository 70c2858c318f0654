import Foundation
import InternetAddress
@testable import PortMapping

/// A NAT-PMP router on loopback (127.0.0.2) that grants every mapping, reports WAN address
/// 11.22.33.44, stays silent to PCP (a NAT-PMP-only router that ignores version 2) and records
/// what it was asked. `answering` off makes it silent to everything.
final class ScriptedNATPMPRouter: Sendable {
    struct MapRequest: Sendable, Equatable {
        var internalPort: UInt16
        var lifetime: UInt32
    }

    static let gateway = GatewayInfo(gateway: IPAddress(127, 0, 0, 2), localAddress: IPAddress(127, 0, 0, 1), interfaceName: "lo")

    let answering = LockedBox(true)
    let maps = LockedBox<[MapRequest]>([])
    let pcpRequests = LockedBox(0)
    private let responder: ScriptedUDPResponder
    var port: Int { responder.port }

    init() async throws {
        let answering = self.answering, maps = self.maps, pcpRequests = self.pcpRequests
        responder = try await ScriptedUDPResponder(host: "127.0.0.2", otherHost: "127.0.0.3") { request in
            guard answering.value else { return [] }
            let epoch: [UInt8] = [0, 0, 0x01, 0x00]
            switch (request.first, request.count) {
            case (2, _):
                pcpRequests.withLock { $0 += 1 }
                return []
            case (0, 2) where request[1] == 0:
                // RFC 6886 section 3.2: external address answer.
                return [(.gateway, [0x00, 0x80, 0x00, 0x00] + epoch + [11, 22, 33, 44])]
            case (0, 12):
                // Section 3.3: the answer repeats the internal port and grants the asked port and lifetime.
                let internalPort = UInt16(request[4]) << 8 | UInt16(request[5])
                let lifetime = UInt32(request[8]) << 24 | UInt32(request[9]) << 16 | UInt32(request[10]) << 8 | UInt32(request[11])
                maps.withLock { $0.append(MapRequest(internalPort: internalPort, lifetime: lifetime)) }
                return [(.gateway, [0x00, 0x80 | request[1], 0x00, 0x00] + epoch + Array(request[4..<8]) + Array(request[8..<12]))]
            default:
                return []
            }
        }
    }

    /// Probe test mappings made so far: a probe maps a random port in 40000...59999 for 60 s,
    /// so each is counted by its port (a retransmitted request is the same mapping).
    var testMappings: Int { Set(maps.value.filter { $0.lifetime == 60 && $0.internalPort >= 40000 }.map(\.internalPort)).count }

    func configuration(protocols: Set<MappingProtocol> = [.natpmp]) -> PortMapper.Configuration {
        // Generous: a loaded machine must not turn an answer into silence.
        PortMapper.Configuration(probeTimeout: .seconds(2), requestTimeout: .seconds(2), protocols: protocols, natpmpPort: port)
    }

    func close() async { await responder.close() }
}
