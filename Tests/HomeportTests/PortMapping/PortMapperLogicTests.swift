import Foundation
import InternetAddress
import Logging
@testable import PortMapping
import Testing

@Suite("PortMapper verdicts, gateway discovery, manual table, keeper states")
struct PortMapperLogicTests {
    static let info = GatewayInfo(gateway: IPAddress(192, 168, 77, 1), localAddress: IPAddress(192, 168, 77, 2), interfaceName: "eth0")

    @Test func cgnatRouterIsReportedAsBehindAnotherNATNotAsNoRouter() {
        // What miniupnpd 2.3.1 answers with a 100.64/10 WAN address (measured in the lab).
        let upnp = ProtocolProbeResult(mappingProtocol: .upnp, available: true, externalAddress: "", mapping: .refused(code: 501, reason: "ActionFailed"))
        let natpmp = ProtocolProbeResult(mappingProtocol: .natpmp, available: true, mapping: .refused(code: 3, reason: "network failure"), error: "result 3")
        let pcp = ProtocolProbeResult(mappingProtocol: .pcp, available: true, mapping: .refused(code: 8, reason: "NO_RESOURCES"))
        let report = PortMapper.summarize(info: Self.info, upnp: upnp, natpmp: natpmp, pcp: pcp)
        #expect(report.mapping == .refused)
        #expect(report.behindAnotherNAT)
        #expect(report.bestExternalAddress == nil)
    }

    @Test func publicRouterWorks() {
        let upnp = ProtocolProbeResult(mappingProtocol: .upnp, available: true, externalAddress: "11.22.33.44", mapping: .works)
        let natpmp = ProtocolProbeResult(mappingProtocol: .natpmp, available: false, error: "timeout")
        let pcp = ProtocolProbeResult(mappingProtocol: .pcp, available: true, externalAddress: "11.22.33.44", mapping: .works)
        let report = PortMapper.summarize(info: Self.info, upnp: upnp, natpmp: natpmp, pcp: pcp)
        #expect(report.mapping == .works)
        #expect(!report.behindAnotherNAT)
        #expect(report.bestExternalAddress == IPAddress(11, 22, 33, 44))
    }

    @Test func privateWANAddressMeansDoubleNAT() {
        let upnp = ProtocolProbeResult(mappingProtocol: .upnp, available: true, externalAddress: "10.0.0.5", mapping: .works)
        let none = ProtocolProbeResult(mappingProtocol: .natpmp)
        let report = PortMapper.summarize(info: Self.info, upnp: upnp, natpmp: none, pcp: ProtocolProbeResult(mappingProtocol: .pcp))
        #expect(report.behindAnotherNAT)
        #expect(report.mapping == .works)
        #expect(report.bestExternalAddress == IPAddress(10, 0, 0, 5))
    }

    @Test func noAnswerIsUnavailable() {
        let report = PortMapper.summarize(info: Self.info, upnp: .init(mappingProtocol: .upnp), natpmp: .init(mappingProtocol: .natpmp),
                                          pcp: .init(mappingProtocol: .pcp))
        #expect(report.mapping == .unavailable)
        #expect(!report.behindAnotherNAT)
    }

    @Test func reportIsJSONForTheCLI() throws {
        let report = PortMapper.summarize(info: Self.info, upnp: .init(mappingProtocol: .upnp, available: true, externalAddress: ""),
                                          natpmp: .init(mappingProtocol: .natpmp), pcp: .init(mappingProtocol: .pcp))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(report)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"gateway\":\"192.168.77.1\""))
        #expect(text.contains("\"external_address\":\"\""))
        #expect(text.contains("\"mapping\":{\"status\":\"not_tried\"}"))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(RouterReport.self, from: data).upnp == report.upnp)
    }

    @Test func linuxRouteTableGivesTheLowestMetricDefaultRoute() {
        let table = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
        eth0\t00000000\t014DA8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
        eth0\t004DA8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
        tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0
        down0\t00000000\t0102A8C0\t0002\t0\t0\t1\t00000000\t0\t0\t0
        garbage line
        """
        let routes = GatewayDiscovery.parseLinuxRoutes(table)
        #expect(routes == [.init(interface: "wlan0", gateway: IPAddress(192, 168, 1, 1), metric: 600),
                           .init(interface: "eth0", gateway: IPAddress(192, 168, 77, 1), metric: 100)])
    }

    @Test func gatewayOverrideIsValidated() throws {
        #expect(throws: PortMappingError.noGateway("[router] gateway = \"router.local\" is not an IPv4 address such as \"192.168.1.1\"")) {
            try GatewayDiscovery.discover(override: "router.local")
        }
        let info = try GatewayDiscovery.discover(override: "127.0.0.1")
        #expect(info.gateway == IPAddress(127, 0, 0, 1))
        #expect(info.localAddress == IPAddress(127, 0, 0, 1))
        #expect(info.interfaceName == "lo")
    }

    @Test func manualForwardTableListsWhatToTypeIntoTheRouter() {
        let requests = [MappingRequest(proto: .tcp, internalPort: 21117, description: "relay"),
                        MappingRequest(proto: .udp, internalPort: 21116, description: "rendezvous"),
                        MappingRequest(proto: .tcp, internalPort: 21116, description: "rendezvous"),
                        MappingRequest(proto: .tcp, internalPort: 8080, externalPort: 443, description: "web"),
                        MappingRequest(proto: .tcp, internalPort: 21116, description: "duplicate")]
        let rows = ManualForwardTable.rows(for: requests, localAddress: IPAddress(192, 168, 1, 20))
        #expect(rows.map { "\($0.externalPort)/\($0.proto.rawValue)->\($0.internalAddress):\($0.internalPort)" } ==
                ["443/tcp->192.168.1.20:8080", "21116/tcp->192.168.1.20:21116", "21116/udp->192.168.1.20:21116", "21117/tcp->192.168.1.20:21117"])
        let text = ManualForwardTable.render(rows)
        #expect(text.hasPrefix("External port  Protocol  Internal IP   Internal port  Description\n"))
        #expect(text.contains("443            TCP       192.168.1.20  8080           web\n"))
    }

    @Test func keeperStatesEncodeFlat() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let refused = MappingLeaseKeeper.State.refused(reason: "no", code: 501)
        #expect(String(decoding: try encoder.encode(refused), as: UTF8.self) == #"{"code":501,"kind":"refused","reason":"no"}"#)
        #expect(try JSONDecoder().decode(MappingLeaseKeeper.State.self, from: try encoder.encode(refused)) == refused)
        #expect(String(decoding: try encoder.encode(MappingLeaseKeeper.State.pending), as: UTF8.self) == #"{"kind":"pending"}"#)
    }

    @Test func keeperStatesSeparateRefusalFromSilence() {
        #expect(MappingLeaseKeeper.state(for: .upnpFault(code: 501, description: "ActionFailed")) == .refused(reason: "upnp: router refused with error 501 (ActionFailed)", code: 501))
        let mixed = PortMappingError.allProtocolsFailed(["pcp: timeout", "upnp: refused 501"], refusalCodes: [501])
        #expect(MappingLeaseKeeper.state(for: mixed) == .refused(reason: "\(mixed)", code: 501))
        let silent = PortMappingError.allProtocolsFailed(["pcp: timeout", "natpmp: timeout"], refusalCodes: [])
        #expect(MappingLeaseKeeper.state(for: silent) == .unavailable(reason: "\(silent)"))
    }

    @Test func keeperMapsRenewsAndRemovesOnCancel() async throws {
        // A NAT-PMP router on loopback that grants 10-second leases and counts requests.
        let maps = LockedBox<[UInt32]>([])
        let responder = try await ScriptedUDPResponder(host: "127.0.0.2", otherHost: "127.0.0.3") { request in
            guard request.first == 0, request.count == 12 else {
                return request.first == 2 ? [(.gateway, [0x00, 0x80 | request[1], 0x00, 0x01, 0, 0, 0, 1])] : []
            }
            let lifetime = UInt32(request[8]) << 24 | UInt32(request[9]) << 16 | UInt32(request[10]) << 8 | UInt32(request[11])
            maps.withLock { $0.append(lifetime) }
            let granted: [UInt8] = lifetime == 0 ? [0, 0, 0, 0] : [0, 0, 0, 10]
            return [(.gateway, [0x00, 0x80 | request[1], 0x00, 0x00, 0x00, 0x00, 0x01, 0x00] + Array(request[4..<6]) + Array(request[4..<6]) + granted)]
        }
        defer { Task { await responder.close() } }
        let mapper = PortMapper(gateway: GatewayInfo(gateway: IPAddress(127, 0, 0, 2), localAddress: IPAddress(127, 0, 0, 1), interfaceName: "lo"),
                                configuration: .init(requestTimeout: .seconds(3), protocols: [.pcp, .natpmp], natpmpPort: responder.port),
                                logger: LogCapture().logger())
        let keeper = MappingLeaseKeeper(mapper: mapper, desired: [MappingRequest(proto: .udp, internalPort: 21116, lifetime: 10)],
                                        retryInterval: .seconds(2), logger: LogCapture().logger())
        let run = Task { await keeper.run() }
        #expect(await eventually(timeout: .seconds(20)) {
            if case .mapped(let lease) = await keeper.states().first?.state { return lease.mappingProtocol == .natpmp } else { return false }
        })
        // Renewal at half the 10 s lifetime.
        #expect(await eventually(timeout: .seconds(15)) { maps.value.filter { $0 == 10 }.count >= 2 })
        run.cancel()
        await run.value
        #expect(maps.value.last == 0)
        #expect(await keeper.states().first?.state == .pending)
    }
}
