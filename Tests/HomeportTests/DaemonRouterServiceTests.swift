import Config
@testable import Daemon
import Foundation
import InternetAddress
#if canImport(Glibc)
import Glibc
#endif
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
    /// This process's IPv4 UDP sockets bound to `port`, found by asking each open descriptor
    /// (a read of /proc/net/udp can skip lines while other tests open and close sockets).
    static func udpSocketsBound(to port: Int) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap(Int32.init).filter { fd in
            var type: Int32 = 0
            var typeLength = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0, type == Int32(SOCK_DGRAM.rawValue) else { return false }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return named == 0 && address.sin_family == sa_family_t(AF_INET) && Int(UInt16(bigEndian: address.sin_port)) == port
        }.count
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

    /// Collects what one consumer receives; `stopAfter` ends its loop after that many, and
    /// `ended` says when its loop is over.
    static func consume(_ stream: AsyncStream<RouterAnnouncement>, into box: LockedBox<[UInt32]>, stopAfter: Int = .max,
                        ended: LockedBox<Bool> = LockedBox(false)) -> Task<Void, Never> {
        Task {
            defer { ended.withLock { $0 = true } }
            for await announcement in stream {
                box.withLock { $0.append(announcement.epoch) }
                if box.value.count >= stopAfter { return }
            }
        }
    }

    /// Starts the service and waits until its listener socket is bound.
    static func startListening(_ service: RouterService, port: Int, finished: LockedBox<Bool> = LockedBox(false)) async throws -> Task<Void, Never> {
        let run = Task {
            await service.run()
            finished.withLock { $0 = true }
        }
        let bound = await eventually(timeout: .seconds(30)) { udpSocketsBound(to: port) > 0 }
        if !bound { run.cancel() }
        try #require(bound, "the announcement listener never bound UDP \(port)")
        return run
    }

    @Test func oneListenerSocketFeedsBothConsumersFromOneAnnouncement() async throws {
        let port = TestPorts.random()
        let service = Self.service(port: port)
        let keeperSide = LockedBox<[UInt32]>([]), monitorSide = LockedBox<[UInt32]>([])
        let consumers = [Self.consume(await service.announcements(), into: keeperSide),
                         Self.consume(await service.announcements(), into: monitorSide)]
        defer { for consumer in consumers { consumer.cancel() } }
        let run = try await Self.startListening(service, port: port)
        defer { run.cancel() }
        #expect(Self.udpSocketsBound(to: port) == 1, "one listener socket for both consumers")

        try await Self.announce(epoch: 7, to: port)
        #expect(await eventually(timeout: .seconds(20)) { keeperSide.value == [7] && monitorSide.value == [7] },
                "lease keeper side got \(keeperSide.value), address monitor side \(monitorSide.value)")
        #expect(Self.udpSocketsBound(to: port) == 1)
    }

    @Test func aConsumerThatStopsDoesNotStopTheOthersOrTheListener() async throws {
        let port = TestPorts.random()
        let service = Self.service(port: port)
        let stopping = LockedBox<[UInt32]>([]), cancelled = LockedBox<[UInt32]>([]), staying = LockedBox<[UInt32]>([])
        let stopperEnded = LockedBox(false)
        let stopper = Self.consume(await service.announcements(), into: stopping, stopAfter: 1, ended: stopperEnded)
        let victim = Self.consume(await service.announcements(), into: cancelled)
        let stayer = Self.consume(await service.announcements(), into: staying)
        defer { for consumer in [stopper, victim, stayer] { consumer.cancel() } }
        let finished = LockedBox(false)
        let run = try await Self.startListening(service, port: port, finished: finished)
        defer { run.cancel() }

        try await Self.announce(epoch: 7, to: port)
        // One consumer ends its loop by itself after the first announcement, another is cancelled.
        try #require(await eventually(timeout: .seconds(20)) { stopperEnded.value }, "the stopping consumer got \(stopping.value)")
        victim.cancel()
        await victim.value
        #expect(await eventually(timeout: .seconds(20)) { await service.subscriberCount == 1 })

        try await Self.announce(epoch: 8, to: port)
        #expect(await eventually(timeout: .seconds(20)) { staying.value == [7, 8] }, "staying consumer got \(staying.value)")
        #expect(stopping.value == [7])
        #expect(!finished.value, "the listener ended when a consumer stopped")
        #expect(Self.udpSocketsBound(to: port) == 1)
        run.cancel()
        await run.value
        #expect(finished.value)
    }

    @Test func routerFactsMakeATestMappingOnTheConfiguredSchedule() async throws {
        let router = try await ScriptedNATPMPRouter()
        defer { Task { await router.close() } }
        // An hour between tests: three look-ups, one test mapping, and its refusal state kept.
        let hourly = Self.service(port: 0, mapper: PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(),
                                                               logger: LogCapture().logger()), testMappingInterval: .seconds(3600))
        let wan: IPAddress = "11.22.33.44"
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
