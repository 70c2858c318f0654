import Foundation
import InternetAddress
import Logging
@testable import PortMapping
import Testing

/// The client against real miniupnpd 2.3.1 in namespaces this test creates. The client code runs
/// inside the home namespace as `PortMappingLabDriver` (the same test bundle, re-run there).
@Suite("PortMapping against real miniupnpd", .serialized,
       .enabled(if: MiniupnpdLab.available, Comment(rawValue: ToolRequirement.miniupnpd.skipMessage)))
struct PortMappingMiniupnpdTests {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func withLab(wan: String, gateway: String, _ body: (MiniupnpdLab) async throws -> Void) async throws {
        let lab = try await MiniupnpdLab.start(wanAddress: wan, wanGateway: gateway)
        let outcome: Result<Void, Error>
        do { try await body(lab); outcome = .success(()) } catch { outcome = .failure(error) }
        await lab.remove()
        try outcome.get()
    }

    @Test func cgnatWANGivesEmptyAddressAndRefusals() async throws {
        try await Self.withLab(wan: "100.64.1.2", gateway: "100.64.1.1") { lab in
            let (output, data) = try await lab.runDriver("probe")
            let report = try Self.decoder().decode(RouterReport.self, from: data)
            #expect(report.gateway == IPAddress(192, 168, 77, 1), "\(output)")
            #expect(report.localAddress == IPAddress(192, 168, 77, 2))
            #expect(report.upnp.available)
            #expect(report.upnp.externalAddress == "")
            #expect(report.upnp.mapping == .refused(code: 501, reason: "upnp: router refused with error 501 (ActionFailed)"))
            #expect(report.pcp.available)
            #expect(report.pcp.mapping == .refused(code: 8, reason: "pcp: router refused with result 8 (NO_RESOURCES)"))
            #expect(report.natpmp.available)
            #expect(report.mapping == .refused)
            #expect(report.behindAnotherNAT)
            #expect(report.bestExternalAddress == nil)
        }
    }

    @Test func publicWANMapsListsAndRemoves() async throws {
        try await Self.withLab(wan: "11.22.33.44", gateway: "11.22.33.1") { lab in
            for proto in ["pcp", "natpmp", "upnp"] {
                let (output, data) = try await lab.runDriver("map", environment: ["HOMEPORT_PM_PROTOCOLS": proto])
                let result = try Self.decoder().decode(LabMapResult.self, from: data)
                #expect(result.report.mapping == .works, "\(output)")
                #expect(result.report.bestExternalAddress == IPAddress(11, 22, 33, 44))
                if proto == "upnp" { #expect(result.report.upnp.upnpConnectionStatus == "Connected") }
                #expect(result.lease?.mappingProtocol.rawValue == proto, "\(output)")
                #expect(result.lease?.externalAddress == IPAddress(11, 22, 33, 44))
                #expect(result.lease?.externalPort == 21116)
                #expect(result.listedWhileMapped.contains { $0.externalPort == 21116 && $0.proto == .tcp && $0.ownedByThisProcess })
                #expect(!result.listedAfterUnmap.contains { $0.externalPort == 21116 })
            }
        }
    }

    @Test func anotherProcessCanRemoveAMappingByPorts() async throws {
        try await Self.withLab(wan: "11.22.33.44", gateway: "11.22.33.1") { lab in
            let (output, data) = try await lab.runDriver("remove")
            let result = try Self.decoder().decode(LabMapResult.self, from: data)
            #expect(result.lease?.mappingProtocol == .pcp, "\(output)")
            #expect(result.listedWhileMapped.contains { $0.internalPort == 21117 && $0.proto == .udp }, "\(output)")
            #expect(!result.listedAfterUnmap.contains { $0.internalPort == 21117 }, "\(output)")
        }
    }

    @Test func wanChangeAnnouncementMakesTheKeeperMapAgain() async throws {
        try await Self.withLab(wan: "11.22.33.44", gateway: "11.22.33.1") { lab in
            let driver = Task { try await lab.runDriver("keeper") }
            let ready = await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: lab.directory.file("mapped")) }
            #expect(ready)
            try await lab.changeWAN(from: "11.22.33.44", to: "11.22.33.45", gateway: "11.22.33.1")
            let (output, data) = try await driver.value
            let result = try Self.decoder().decode(LabKeeperResult.self, from: data)
            #expect(result.announcements.contains { $0.externalAddress == IPAddress(11, 22, 33, 45) }, "\(output)")
            #expect(result.externalAddressAfterChange == IPAddress(11, 22, 33, 45), "\(output)")
            #expect(result.mappedAfterShutdown == false)
            #expect(!result.routerRowsAfterShutdown.contains { $0.externalPort == 21116 }, "\(result.routerRowsAfterShutdown)")
        }
    }
}

struct LabMapResult: Codable {
    var report: RouterReport
    var lease: PortMappingLease?
    var listedWhileMapped: [ListedMapping]
    var listedAfterUnmap: [ListedMapping]
}

struct LabKeeperResult: Codable {
    var announcements: [RouterAnnouncement]
    var externalAddressAfterChange: IPAddress?
    var mappedAfterShutdown: Bool
    var routerRowsAfterShutdown: [ListedMapping]
}

/// Runs inside the lab's home namespace (see MiniupnpdLab.runDriver); skipped everywhere else.
@Suite("PortMappingLabDriver", .enabled(if: ProcessInfo.processInfo.environment["HOMEPORT_PM_DRIVER"] != nil))
struct PortMappingLabDriver {
    static let env = ProcessInfo.processInfo.environment

    static func write(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(value).write(to: URL(fileURLWithPath: env["HOMEPORT_PM_OUT"] ?? "/dev/null"))
    }

    static var logger: Logger {
        var logger = Logger(label: "lab-driver")
        logger.logLevel = .debug
        return logger
    }

    static var protocols: Set<MappingProtocol> {
        env["HOMEPORT_PM_PROTOCOLS"].map { Set($0.split(separator: ",").compactMap { MappingProtocol(rawValue: String($0)) }) }
            ?? Set(MappingProtocol.allCases)
    }

    @Test func drive() async throws {
        switch Self.env["HOMEPORT_PM_DRIVER"] {
        case "probe":
            try Self.write(await PortMapper(logger: Self.logger).probe())
        case "map":
            let mapper = PortMapper(configuration: .init(protocols: Self.protocols), logger: Self.logger)
            let report = await mapper.probe()
            let lease = try await mapper.map(MappingRequest(proto: .tcp, internalPort: 21116, lifetime: 300, description: "lab"))
            let listed = try await mapper.list()
            try await mapper.unmap(lease)
            let after = (try? await mapper.list()) ?? []
            try Self.write(LabMapResult(report: report, lease: lease, listedWhileMapped: listed, listedAfterUnmap: after))
        case "remove":
            // One mapper maps over PCP and forgets; a fresh one (another process, in practice) removes it.
            let lease = try await PortMapper(configuration: .init(protocols: [.pcp]), logger: Self.logger)
                .map(MappingRequest(proto: .udp, internalPort: 21117, lifetime: 300, description: "lab"))
            let before = try await PortMapper(configuration: .init(protocols: [.upnp]), logger: Self.logger).list()
            try await PortMapper(logger: Self.logger).remove(proto: .udp, internalPort: 21117, externalPort: lease.externalPort)
            let after = try await PortMapper(configuration: .init(protocols: [.upnp]), logger: Self.logger).list()
            try Self.write(LabMapResult(report: PortMapper.summarize(info: nil, upnp: .init(mappingProtocol: .upnp),
                                                                     natpmp: .init(mappingProtocol: .natpmp), pcp: .init(mappingProtocol: .pcp)),
                                        lease: lease, listedWhileMapped: before, listedAfterUnmap: after))
        case "keeper":
            let mapper = PortMapper(logger: Self.logger)
            let gateway = try await mapper.gateway().gateway
            let listener = try await RouterAnnouncementListener.start(gateway: gateway, logger: Self.logger)
            let keeper = MappingLeaseKeeper(mapper: mapper, desired: [MappingRequest(proto: .udp, internalPort: 21116, lifetime: 300)],
                                            retryInterval: .seconds(5), logger: Self.logger)
            let collected = LockedBox<[RouterAnnouncement]>([])
            let (forward, continuation) = AsyncStream<RouterAnnouncement>.makeStream()
            let collector = Task {
                for await announcement in listener.announcements {
                    collected.withLock { $0.append(announcement) }
                    // As the daemon's RouterService does before it hands an announcement on.
                    await mapper.invalidate()
                    continuation.yield(announcement)
                }
            }
            let run = Task { await keeper.run(announcements: forward) }
            func external() async -> IPAddress? {
                if case .mapped(let lease) = await keeper.states().first?.state { return lease.externalAddress }
                return nil
            }
            _ = await eventually(timeout: .seconds(10)) { await external() != nil }
            _ = FileManager.default.createFile(atPath: (Self.env["HOMEPORT_PM_DIR"] ?? "/tmp") + "/mapped", contents: nil)
            _ = await eventually(timeout: .seconds(15)) { await external() == IPAddress(11, 22, 33, 45) }
            let after = await external()
            run.cancel()
            await run.value
            let stillMapped = await external() != nil
            // What the router itself still holds, read over UPnP by a fresh mapper.
            let routerRows = (try? await PortMapper(configuration: .init(protocols: [.upnp]), logger: Self.logger).list()) ?? []
            await listener.close()
            continuation.finish()
            collector.cancel()
            try Self.write(LabKeeperResult(announcements: collected.value, externalAddressAfterChange: after, mappedAfterShutdown: stillMapped,
                                           routerRowsAfterShutdown: routerRows))
        default:
            Issue.record("unknown driver \(Self.env["HOMEPORT_PM_DRIVER"] ?? "")")
        }
    }
}
