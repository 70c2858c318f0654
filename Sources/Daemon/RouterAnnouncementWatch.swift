import InternetAddress
import Logging
import PortMapping

/// Listens for router announcements (RFC 6886 section 3.2.1, RFC 6887 section 14.1.3) for as
/// long as the daemon runs. The listener needs the gateway's address, which may be unknown at
/// boot, and its socket may fail later; both are retried with back-off instead of leaving the
/// daemon deaf to router restarts and WAN address changes for the rest of its life.
struct RouterAnnouncementWatch: Sendable {
    /// The gateway whose announcements count; nil while none is known.
    let gateway: @Sendable () async -> IPAddress?
    let logger: Logger
    var firstRetry: Duration = .seconds(2)
    var longestRetry: Duration = .seconds(60)
    /// 5350 except in tests.
    var port: Int = NATPMPMessage.announcePort

    /// Runs until cancelled, calling `handle` for each announcement from the gateway.
    func run(_ handle: @Sendable (RouterAnnouncement) async -> Void) async {
        let clock = ContinuousClock()
        var delay = firstRetry
        while !Task.isCancelled {
            if let gateway = await gateway() {
                do {
                    let listener = try await RouterAnnouncementListener.start(gateway: gateway, port: port, logger: logger)
                    let started = clock.now
                    for await announcement in listener.announcements { await handle(announcement) }
                    await listener.close()
                    if Task.isCancelled { return }
                    // A listener that worked for a while starts again quickly.
                    if clock.now - started > longestRetry { delay = firstRetry }
                    logger.notice("router announcements: the listener stopped; starting it again in \(delay)")
                } catch {
                    logger.notice("router announcements: cannot listen (\(error)); trying again in \(delay), mappings and the address are still checked on schedule")
                }
            } else {
                logger.debug("router announcements: no gateway known yet; looking again in \(delay)")
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, longestRetry)
        }
    }
}
