import Foundation
import InternetAddress
import PublicIP
import Testing

/// Echo services that do not answer: nothing answered is not a disagreement, and the log says
/// which it was, with each source's reason at debug level.
@Suite struct PublicIPUnansweredTests {
    @Test("refused echo services: 'no source answered', each source's reason at debug, no 'no agreement'")
    func refusedSources() async throws {
        let server = try await EchoReplayServer.start()
        let closed = server.url("/plain")
        await server.stop()
        var settings = DetectionSettings()
        settings.httpSourcesIPv4 = [HTTPEchoEndpoint(url: closed, family: .ipv4),
                                    HTTPEchoEndpoint(url: closed.appendingPathComponent("again"), family: .ipv4)]
        settings.ipv6Enabled = false
        settings.interfaceSourceEnabled = false
        settings.hopProbeTarget = nil
        let capture = LogCapture()
        let detector = PublicIPDetector(settings: settings, hopProbe: nil, interfaceAddresses: { [] }, logger: capture.logger())
        let report = await detector.detect()
        #expect(report.ipv4.status == .unanswered)
        #expect(report.ipv4.address == nil)
        let lines = capture.lines
        #expect(lines.contains("notice no source answered with a usable public IPv4 address (2 asked)"), "\(lines)")
        #expect(!lines.contains { $0.contains("no agreement") }, "\(lines)")
        let reasons = lines.filter { $0.hasPrefix("debug IPv4 source 127.0.0.1/") }
        #expect(reasons.count == 2, "\(lines)")
        #expect(reasons.allSatisfy { $0.contains("(http): asked GET http://127.0.0.1:") && $0.contains(": request failed") }, "\(reasons)")
        #expect(report.text().contains("IPv4: unknown — no source answered with a usable address"))
    }

    @Test("two sources with different addresses are still a disagreement")
    func disagreementStaysOne() async throws {
        let a = ScriptedSource("a", address: "203.0.113.1")
        let b = ScriptedSource("b", address: "203.0.113.2")
        var settings = DetectionSettings()
        settings.ipv6Enabled = false
        settings.hopProbeTarget = nil
        let capture = LogCapture()
        let report = await PublicIPDetector(sources: [a, b], settings: settings, logger: capture.logger()).detect()
        #expect(report.ipv4.status == .disagreement)
        #expect(capture.lines.contains("notice no agreement on the public IPv4 address (2 needed): 203.0.113.1 from a; 203.0.113.2 from b"),
                "\(capture.lines)")
    }
}
