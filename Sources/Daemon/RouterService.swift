import Config
import Foundation
import Logging
import PortMapping
import PublicIP

/// The daemon's one owner of the home router: one `PortMapper` (so one view of the router's
/// epoch, device and leases) and one announcement listener. Announcements (RFC 6886 section
/// 3.2.1, RFC 6887 section 14.1.3) make the mapper forget the router and are then handed to every
/// subscriber: the lease keeper maps again, the address monitor looks again. It also serves the
/// router's facts to the public-address detector, with a test mapping on the
/// `[router] test_mapping_interval` schedule.
///
/// `run()` listens until cancelled; a subscriber that stops listening is dropped without
/// affecting the others or the listener.
actor RouterService: RouterFactsProvider {
    nonisolated let mapper: PortMapper
    private let facts: RouterFactsSchedule
    private let watch: RouterAnnouncementWatch
    private var subscribers: [Int: AsyncStream<RouterAnnouncement>.Continuation] = [:]
    private var nextSubscriber = 0

    /// `mapper` is built from `settings` unless given (tests give one for a loopback router);
    /// `announcementPort` is 5350 except in tests.
    init(settings: RouterSettings, mapper: PortMapper? = nil, logger: Logger, announcementPort: Int = NATPMPMessage.announcePort) {
        let mapper = mapper ?? PortMapper(configuration: NetworkComponents.mapperConfiguration(settings), logger: logger)
        self.mapper = mapper
        facts = RouterFactsSchedule(mapper: mapper, testInterval: settings.testMappingInterval)
        watch = RouterAnnouncementWatch(gateway: {
            do {
                return try await mapper.gateway().gateway
            } catch {
                logger.debug("router announcements: no gateway for the listener yet: \(error)")
                return nil
            }
        }, logger: logger, port: announcementPort)
    }

    /// Listens for the router's announcements until cancelled (the listener is retried with
    /// back-off when its socket fails or no gateway is known yet).
    func run() async {
        await watch.run { announcement in await self.deliver(announcement) }
    }

    private func deliver(_ announcement: RouterAnnouncement) async {
        // The router restarted or its WAN address changed: what the mapper cached may be stale.
        await mapper.invalidate()
        for continuation in subscribers.values { continuation.yield(announcement) }
    }

    /// The announcements heard from now on, each after the mapper forgot the router. The stream
    /// ends when its consumer stops iterating or is cancelled; the others keep theirs.
    func announcements() -> AsyncStream<RouterAnnouncement> {
        let (stream, continuation) = AsyncStream<RouterAnnouncement>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    /// How many consumers currently receive announcements.
    var subscriberCount: Int { subscribers.count }

    func routerFacts() async -> RouterFacts {
        await facts.routerFacts()
    }
}
