import Foundation
import Rendezvous
import RustDeskWire
import Testing

/// Issue 10, defects 2 and 3 on the rendezvous ports: a frame that never completes (TCP P and
/// P-1) and a WebSocket that never upgrades (P+2) are closed at a deadline, however often
/// the client sends a byte.
@Suite(.serialized) struct RendezvousDeadlineTests {
    /// A header announcing 60 000 bytes, then one byte every 0.5 s: always active, never done.
    static let slowFrame: [UInt8] = FrameHeader.frame([UInt8](repeating: 1, count: 60_000))!

    @Test func slowFramesAreClosedAtTheFrameDeadline() async throws {
        let harness = try await RendezvousHarness.start { $0.frameTimeout = .seconds(2) }
        defer { Task { await harness.stop() } }
        let port = harness.port
        let main = try await RelayTestClient.connect(port: port)
        let natTest = try await RelayTestClient.connect(port: port - 1)
        let tasks = [trickle(main, Self.slowFrame), trickle(natTest, Self.slowFrame)]
        #expect(await main.waitClosed(timeout: .seconds(10)), "TCP P: \(main.debugState)")
        #expect(await natTest.waitClosed(timeout: .seconds(10)), "TCP P-1: \(natTest.debugState)")
        for task in tasks { task.cancel() }
        #expect(harness.server.stats.value(.tcpDeadlineClosed) >= 2)
        // A complete frame is still answered on a connection that has been open for a while.
        #expect(await RendezvousChild.natTestAnswered(port: port))
    }

    @Test func webSocketMustUpgradeAndSendItsFirstMessageInTime() async throws {
        let harness = try await RendezvousHarness.start { $0.frameTimeout = .seconds(2) }
        defer { Task { await harness.stop() } }
        let port = harness.port + 2
        let halfRequest = try await RelayTestClient.connect(port: port)
        let upgradedSlow = try await RelayTestClient.connect(port: port)
        try await upgradedSlow.send(HostileBytes.upgradeRequest(path: "/ws/id"))
        let tasks = [trickle(halfRequest, Array("GET /ws/id HTTP/1.1\r\nX-Slow: ".utf8)),
                     trickle(upgradedSlow, HostileBytes.frame(opcode: 0x2, fin: true, count: 2000))]
        #expect(await halfRequest.waitClosed(timeout: .seconds(10)), "half request: \(halfRequest.debugState)")
        #expect(await upgradedSlow.waitClosed(timeout: .seconds(10)), "slow first message: \(upgradedSlow.debugState)")
        for task in tasks { task.cancel() }
        #expect(harness.server.stats.value(.tcpDeadlineClosed) >= 2)
        // A real client still gets in and is answered.
        let ws = try await WebSocketPeer.connect(port: port)
        try await ws.send(.with { $0.testNatRequest = .with { $0.serial = 0 } })
        #expect(await ws.receiveFrame(timeout: .seconds(5))?.opcode == .binary)
        await ws.close()
    }
}
