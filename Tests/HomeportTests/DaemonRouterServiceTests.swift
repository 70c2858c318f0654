import Config
@testable import Daemon
import Foundation
import Logging
import NIOCore
@testable import PortMapping
import PublicIP
import Testing

/// The daemon's one owner of the router (issue 11): one announcement listener whose
/// announcements reach every consumer, consumers that stop without stopping the others, and
/// router facts on the `[router] test_mapping_interval` schedule.
@Suite("Router service")
struct DaemonRouterServiceTests {
    /// UDP sockets bound to `port` in this network namespace, from /proc/net/udp and udp6.
    static func udpSocketsBound(to port: Int) -> Int {
        let hexPort = String(format: ":%04X", port)
        return ["/proc/net/udp", "/proc/net/udp6"].reduce(0) { count, file in
            let lines = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").dropFirst() ?? []
            // Second field: local address:port in hex.
            return count + lines.filter { line in
                line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first?.hasSuffix(hexPort) == true
            }.count
        }
    }

    /// A NAT-PMP announcement from the gateway (RFC 6886 section 3.2.1), epoch `epoch`.
    static func announce(epoch: UInt8, to port: Int) async throws {
        let router = try await UDPSocket.bind(host: "127.0.0.2", port: 0)
        try await router.send([0x00, 0x80, 0x00, 0x00, 0, 0, 0, epoch, 11, 22, 33, 45], to: try NIOCore.SocketAddress(ipAddress: "127.0.0.1", port: port))
        await router.close()
    }

    static func service(port: Int, mapper: PortMapper? = nil, testMappingInterval: Duration = .seconds(600)) -> RouterService {
        var settings = RouterSettings()
        settings.testMappingInterval = testMappingInterval
        let mapper = mapper ?? PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: .init(protocols: []), logger: LogCapture().logger())
        return RouterService(settings: settings, mapper: mapper, logger: LogCapture().logger(), announcementPort: port)
    }

    /// Collects what one consumer receives; `stopAfter` ends its loop after that many.
    static func consume(_ stream: AsyncStream<RouterAnnouncement>, into box: LockedBox<[UInt32]>, stopAfter: Int = .max) -> Task<Void, Never> {
        Task {
            for await announcement in stream {
                box.withLock { $0.append(announcement.epoch) }
                if box.value.count >= stopAfter { return }
            }
        }
    }

    @Test func oneListenerSocketFeedsBothConsumersFromOneAnnouncement() async throws {
        let port = Int.random(in: 30000...39999)
        let service = Self.service(port: port)
        let keeperSide = LockedBox<[UInt32]>([]), monitorSide = LockedBox<[UInt32]>([])
        let consumers = [Self.consume(await service.announcements(), into: keeperSide),
                         Self.consume(await service.announcements(), into: monitorSide)]
        let run = Task { await service.run() }
        #expect(await eventually(timeout: .seconds(10)) { Self.udpSocketsBound(to: port) > 0 })
        #expect(Self.udpSocketsBound(to: port) == 1, "one listener socket for both consumers")

        try await Self.announce(epoch: 7, to: port)
        #expect(await eventually(timeout: .seconds(5)) { keeperSide.value == [7] && monitorSide.value == [7] },
                "lease keeper side got \(keeperSide.value), address monitor side \(monitorSide.value)")
        #expect(Self.udpSocketsBound(to: port) == 1)
        run.cancel()
        await run.value
        for consumer in consumers { consumer.cancel() }
    }

    @Test func aConsumerThatStopsDoesNotStopTheOthersOrTheListener() async throws {
        let port = Int.random(in: 30000...39999)
        let service = Self.service(port: port)
        let stopping = LockedBox<[UInt32]>([]), cancelled = LockedBox<[UInt32]>([]), staying = LockedBox<[UInt32]>([])
        let stopper = Self.consume(await service.announcements(), into: stopping, stopAfter: 1)
        let victim = Self.consume(await service.announcements(), into: cancelled)
        let stayer = Self.consume(await service.announcements(), into: staying)
        let finished = LockedBox(false)
        let run = Task {
            await service.run()
            finished.withLock { $0 = true }
        }
        #expect(await eventually(timeout: .seconds(10)) { Self.udpSocketsBound(to: port) > 0 })

        try await Self.announce(epoch: 7, to: port)
        await stopper.value  // ends by itself after the first announcement
        victim.cancel()
        await victim.value
        #expect(await eventually(timeout: .seconds(5)) { await service.subscriberCount == 1 })

        try await Self.announce(epoch: 8, to: port)
        #expect(await eventually(timeout: .seconds(5)) { staying.value == [7, 8] }, "staying consumer got \(staying.value)")
        #expect(stopping.value == [7])
        #expect(!finished.value, "the listener ended when a consumer stopped")
        #expect(Self.udpSocketsBound(to: port) == 1)
        run.cancel()
        await run.value
        stayer.cancel()
        #expect(finished.value)
    }

    @Test func routerFactsMakeATestMappingOnTheConfiguredSchedule() async throws {
        let router = try await ScriptedNATPMPRouter()
        defer { Task { await router.close() } }
        // An hour between tests: three look-ups, one test mapping, and its refusal state kept.
        let hourly = Self.service(port: 0, mapper: PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(),
                                                               logger: LogCapture().logger()), testMappingInterval: .seconds(3600))
        let wan = try #require(IPAddress("11.22.33.44"))
        for _ in 0..<3 {
            let facts = await hourly.routerFacts()
            #expect(facts.mappingProtocol == .natpmp && facts.externalAddress == .address(wan))
        }
        #expect(router.testMappings == 1)
        // No wait between tests: every look-up tests.
        let eager = Self.service(port: 0, mapper: PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(),
                                                              logger: LogCapture().logger()), testMappingInterval: .zero)
        for _ in 0..<3 { _ = await eager.routerFacts() }
        #expect(router.testMappings == 4)
    }
}
