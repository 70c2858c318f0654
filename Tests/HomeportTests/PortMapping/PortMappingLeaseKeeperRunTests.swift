import Foundation
import InternetAddress
import Logging
@testable import PortMapping
import Testing

/// The keeper runs until cancelled, whatever happens to the announcements it was given.
@Suite("MappingLeaseKeeper.run lifetime")
struct PortMappingLeaseKeeperRunTests {
    @Test func aKeeperWhoseAnnouncementStreamEndsKeepsTrying() async throws {
        // No router answers on 127.0.0.2 at this port: every attempt fails fast and is retried.
        let mapper = PortMapper(gateway: GatewayInfo(gateway: IPAddress(127, 0, 0, 2), localAddress: IPAddress(127, 0, 0, 1), interfaceName: "lo"),
                                configuration: .init(requestTimeout: .milliseconds(300), protocols: [.natpmp], natpmpPort: Int.random(in: 40000...49999)),
                                logger: LogCapture().logger())
        let keeper = MappingLeaseKeeper(mapper: mapper, desired: [MappingRequest(proto: .udp, internalPort: 21116, lifetime: 60)],
                                        retryInterval: .milliseconds(500), logger: LogCapture().logger())
        // The listener's socket failed: its stream is over before the keeper starts.
        let (announcements, continuation) = AsyncStream<RouterAnnouncement>.makeStream()
        continuation.finish()
        let returned = LockedBox(false)
        let run = Task {
            await keeper.run(announcements: announcements)
            returned.withLock { $0 = true }
        }
        let attempts = LockedBox<Set<Date>>([])
        // Silent rounds back off 1 s, 2 s, 4 s: three attempts take about 8 s alone, more on a busy machine.
        let keptTrying = await eventually(timeout: .seconds(45), every: .milliseconds(100)) {
            if let last = await keeper.states().first?.lastAttempt { attempts.withLock { _ = $0.insert(last) } }
            return attempts.value.count >= 3
        }
        #expect(keptTrying, "attempts seen: \(attempts.value.count); run returned: \(returned.value)")
        #expect(!returned.value, "run() returned without being cancelled")
        run.cancel()
        await run.value
        #expect(returned.value)
    }
}
