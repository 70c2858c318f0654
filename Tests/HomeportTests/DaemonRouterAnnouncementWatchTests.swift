@testable import Daemon
import Foundation
import InternetAddress
import Logging
import NIOCore
@testable import PortMapping
import Testing

/// The daemon's announcement listener is started late when the gateway was unknown at boot
/// (issue 11: it used to be tried once and dropped with `try?`).
@Suite("Router announcement watch")
struct DaemonRouterAnnouncementWatchTests {
    @Test func theListenerStartsOnceAGatewayIsKnown() async throws {
        let capture = LogCapture()
        let port = TestPorts.random()
        let gatewayKnown = LockedBox(false)
        let heard = LockedBox<[RouterAnnouncement]>([])
        let watch = RouterAnnouncementWatch(gateway: { gatewayKnown.value ? IPAddress(127, 0, 0, 2) : nil },
                                            logger: capture.logger(), firstRetry: .milliseconds(100), longestRetry: .milliseconds(400), port: port)
        let run = Task { await watch.run { announcement in heard.withLock { $0.append(announcement) } } }
        // No gateway at boot; it appears a moment later.
        try await Task.sleep(for: .milliseconds(300))
        gatewayKnown.withLock { $0 = true }

        let router = try await UDPSocket.bind(host: "127.0.0.2", port: 0)
        let target = try NIOCore.SocketAddress(ipAddress: "127.0.0.1", port: port)
        let delivered = try await eventually(timeout: .seconds(10), every: .milliseconds(200)) {
            // NAT-PMP announcement, epoch 7, WAN 11.22.33.45 (RFC 6886 section 3.2.1).
            try await router.send([0x00, 0x80, 0x00, 0x00, 0, 0, 0, 7, 11, 22, 33, 45], to: target)
            return !heard.value.isEmpty
        }
        #expect(delivered, "\(capture.lines.joined(separator: "\n"))")
        #expect(heard.value.first?.epoch == 7)
        run.cancel()
        await run.value
        await router.close()
    }
}
