import Foundation
import Logging
import PortMapping
import Testing

/// A hand-run driver against whatever router this process can see: run inside a namespace with
/// `HOMEPORT_PM_MANUAL=1 swift test --skip-build --filter PortMappingManual`. Skipped otherwise.
@Suite("PortMappingManual", .enabled(if: ProcessInfo.processInfo.environment["HOMEPORT_PM_MANUAL"] == "1"))
struct PortMappingManualTests {
    @Test func probeMapListUnmap() async throws {
        var logger = Logger(label: "portmap-manual")
        logger.logLevel = .debug
        let env = ProcessInfo.processInfo.environment
        let protocols = env["HOMEPORT_PM_PROTOCOLS"].map { Set($0.split(separator: ",").compactMap { MappingProtocol(rawValue: String($0)) }) }
        let mapper = PortMapper(configuration: .init(gatewayOverride: env["HOMEPORT_PM_GATEWAY"],
                                                     protocols: protocols ?? Set(MappingProtocol.allCases)), logger: logger)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let report = await mapper.probe()
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        let request = MappingRequest(proto: .tcp, internalPort: 21116, externalPort: 21116, lifetime: 120, description: "homeport manual")
        do {
            let lease = try await mapper.map(request)
            print("MAPPED", String(decoding: try encoder.encode(lease), as: UTF8.self))
            print("LIST", String(decoding: try encoder.encode(try await mapper.list()), as: UTF8.self))
            try await mapper.unmap(lease)
            print("UNMAPPED")
        } catch {
            print("MAP FAILED: \(error)")
        }
        print("LIST", String(decoding: try encoder.encode(try await mapper.list()), as: UTF8.self))
    }
}

/// Hand-run: `HOMEPORT_PM_MANUAL=announce`; change the router's WAN address while it waits.
@Suite("PortMappingManualAnnounce", .enabled(if: ProcessInfo.processInfo.environment["HOMEPORT_PM_MANUAL"] == "announce"))
struct PortMappingManualAnnounceTests {
    @Test func keeperFollowsAnnouncements() async throws {
        var logger = Logger(label: "portmap-manual")
        logger.logLevel = .debug
        let mapper = PortMapper(logger: logger)
        let info = try await mapper.gateway()
        let listener = try await RouterAnnouncementListener.start(gateway: info.gateway, logger: logger)
        let keeper = MappingLeaseKeeper(mapper: mapper, desired: [MappingRequest(proto: .udp, internalPort: 21116, lifetime: 120)],
                                        retryInterval: .seconds(5), logger: logger)
        let run = Task { await keeper.run(announcements: listener.announcements) }
        for _ in 0..<12 {
            try await Task.sleep(for: .seconds(1))
            print("STATES", await keeper.states().map { "\($0.state)" })
        }
        run.cancel()
        await run.value
        print("AFTER", await keeper.states().map { "\($0.state)" })
        await listener.close()
    }
}
