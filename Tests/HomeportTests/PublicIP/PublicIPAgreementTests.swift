import Foundation
import InternetAddress
import StatusModel
import Testing
@testable import PublicIP

@Suite("PublicIP agreement")
struct PublicIPAgreementTests {
    typealias Named = (name: String, answer: SourceAnswer)

    static func answers(_ pairs: [(String, String?)], family: IPFamily = .ipv4) -> [Named] {
        pairs.map { ($0.0, ScriptedSource.answer($0.1, family: family)) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var answers: [(String, String?)]
        var required: Int
        var previous: String?
        var status: FamilyAgreement.Status
        var address: String?
        var agreeing: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "two agree", answers: [("a", "203.0.113.1"), ("b", "203.0.113.1")], required: 2,
             status: .agreed, address: "203.0.113.1", agreeing: ["a", "b"]),
        Case(label: "two disagree", answers: [("a", "203.0.113.1"), ("b", "203.0.113.2")], required: 2,
             status: .disagreement, agreeing: []),
        Case(label: "majority with dissent", answers: [("a", "203.0.113.1"), ("b", "203.0.113.2"), ("c", "203.0.113.1")], required: 2,
             status: .agreed, address: "203.0.113.1", agreeing: ["a", "c"]),
        Case(label: "one answer is not enough", answers: [("a", "203.0.113.1"), ("b", nil)], required: 2,
             status: .insufficient, agreeing: []),
        Case(label: "one configured source suffices", answers: [("a", "203.0.113.1")], required: 1,
             status: .agreed, address: "203.0.113.1", agreeing: ["a"]),
        Case(label: "all failed", answers: [("a", nil), ("b", nil)], required: 2, status: .unanswered, agreeing: []),
        Case(label: "non-public answers do not vote", answers: [("a", "100.64.0.9"), ("b", "100.64.0.9")], required: 2,
             status: .unanswered, agreeing: []),
        Case(label: "a confirmed previous address counts once", answers: [("a", "203.0.113.1")], required: 2, previous: "203.0.113.1",
             status: .agreed, address: "203.0.113.1", agreeing: ["a", Agreement.previousVoteName]),
        Case(label: "an unconfirmed previous address does not count", answers: [("a", "203.0.113.5")], required: 2, previous: "203.0.113.1",
             status: .insufficient, agreeing: []),
        Case(label: "tie at the required count is a disagreement",
             answers: [("a", "203.0.113.1"), ("b", "203.0.113.2"), ("c", "203.0.113.1"), ("d", "203.0.113.2")], required: 2,
             status: .disagreement, agreeing: []),
    ]

    @Test("votes", arguments: cases)
    func votes(_ test: Case) {
        let result = Agreement.evaluate(family: .ipv4, answers: Self.answers(test.answers), required: test.required,
                                        previous: test.previous.map(ip))
        #expect(result.status == test.status)
        #expect(result.address == test.address.map(ip))
        #expect(result.agreeingSources == test.agreeing)
    }

    @Test("disagreement shows who said what")
    func disagreementDetails() {
        let result = Agreement.evaluate(family: .ipv4, answers: Self.answers([("a", "203.0.113.1"), ("b", "203.0.113.2")]), required: 2)
        #expect(result.votes == [Vote(address: ip("203.0.113.1"), sources: ["a"]), Vote(address: ip("203.0.113.2"), sources: ["b"])])
        let majority = Agreement.evaluate(family: .ipv4, answers: Self.answers([("a", "203.0.113.1"), ("b", "203.0.113.2"), ("c", "203.0.113.1")]), required: 2)
        #expect(majority.dissent == [Vote(address: ip("203.0.113.2"), sources: ["b"])])
    }

    @Test("required count is capped by the sources configured", arguments: [
        (2, 4, 2, 2), (2, 1, 2, 1), (3, 2, 0, 2), (2, 0, 1, 1), (2, 0, 0, 1), (0, 3, 0, 1),
    ])
    func effectiveRequired(configured: Int, echo: Int, local: Int, expected: Int) {
        #expect(Agreement.effectiveRequired(configured: configured, echoSources: echo, localSources: local) == expected)
    }

    static func settings(required: Int = 2) -> DetectionSettings {
        var settings = DetectionSettings()
        settings.requiredAgreement = required
        settings.ipv6Enabled = true
        settings.hopProbeTarget = nil
        return settings
    }

    @Test("asks only `required` echo services when they agree, rotating the start each round")
    func politeRotation() async {
        let sources = (0..<4).map { ScriptedSource("echo\($0)", address: "203.0.113.50") }
        let detector = PublicIPDetector(sources: sources, settings: Self.settings())
        let first = await detector.detect()
        #expect(first.ipv4.address == ip("203.0.113.50"))
        #expect(sources.map(\.callCount) == [1, 1, 0, 0])
        #expect(first.echoRequests == 2)
        _ = await detector.detect()
        #expect(sources.map(\.callCount) == [1, 1, 1, 1])
        _ = await detector.detect()
        #expect(sources.map(\.callCount) == [2, 2, 1, 1])
        #expect(detector.echoRequestsSent == 6)
    }

    @Test("asks more sources only when the first ones fail or disagree")
    func escalation() async {
        let failing = ScriptedSource("down", address: nil)
        let liar = ScriptedSource("liar", address: "203.0.113.99")
        let good1 = ScriptedSource("good1", address: "203.0.113.50")
        let good2 = ScriptedSource("good2", address: "203.0.113.50")
        let unused = ScriptedSource("unused", address: "203.0.113.50")
        let detector = PublicIPDetector(sources: [failing, liar, good1, good2, unused], settings: Self.settings())
        let report = await detector.detect()
        #expect(report.ipv4.status == .agreed)
        #expect(report.ipv4.address == ip("203.0.113.50"))
        #expect(report.ipv4.agreeingSources == ["good1", "good2"])
        #expect(report.ipv4.dissent == [Vote(address: ip("203.0.113.99"), sources: ["liar"])])
        #expect(unused.callCount == 0)
        #expect(report.sources.map(\.name) == ["down", "liar", "good1", "good2"])
        #expect(report.sources[0].error == "timed out")
    }

    @Test("a known address is confirmed with one request")
    func confirmation() async {
        let sources = (0..<3).map { ScriptedSource("echo\($0)", address: "203.0.113.50") }
        let detector = PublicIPDetector(sources: sources, settings: Self.settings())
        let report = await detector.detect(previous: [.ipv4: ip("203.0.113.50")])
        #expect(report.ipv4.address == ip("203.0.113.50"))
        #expect(report.ipv4.confirmedPrevious)
        #expect(report.echoRequests == 1)
        // A changed address is not taken from one source: it needs two.
        for source in sources { source.set("203.0.113.60") }
        let changed = await detector.detect(previous: [.ipv4: ip("203.0.113.50")])
        #expect(changed.ipv4.address == ip("203.0.113.60"))
        #expect(changed.ipv4.agreeingSources.count == 2)
        #expect(changed.echoRequests == 2)
    }

    @Test("local sources are always asked and vote; families are separate")
    func localSources() async {
        let echo = ScriptedSource("echo", address: "203.0.113.50")
        let echo2 = ScriptedSource("echo2", address: "203.0.113.50")
        let v6echo = ScriptedSource("v6echo", family: .ipv6, address: "2001:db8::50")
        let iface = ScriptedSource("interfaces", kind: .interface, family: .ipv6, address: "2001:db8::50")
        let router = RouterFactsClosure { RouterFacts(gateway: ip("192.168.1.1"), mappingProtocol: .natpmp, externalAddress: .address(ip("203.0.113.50"))) }
        let detector = PublicIPDetector(sources: [echo, echo2, v6echo, iface], settings: Self.settings(), router: router)
        let report = await detector.detect()
        #expect(report.ipv4.agreeingSources == ["router", "echo", "echo2"] || report.ipv4.agreeingSources == ["router", "echo"])
        #expect(report.ipv6.address == ip("2001:db8::50"))
        #expect(report.ipv6.agreeingSources.sorted() == ["interfaces", "v6echo"])
        #expect(iface.callCount == 1)
        #expect(report.verdict.kind == .public)
        #expect(report.router?.mappingProtocol == .natpmp)
    }

    @Test("a disabled family is reported as disabled and not asked")
    func disabledFamily() async {
        let v6 = ScriptedSource("v6", family: .ipv6, address: "2001:db8::1")
        var settings = Self.settings()
        settings.ipv6Enabled = false
        let report = await PublicIPDetector(sources: [v6], settings: settings).detect()
        #expect(report.ipv6.status == .disabled)
        #expect(v6.callCount == 0)
    }

    @Test("the report's JSON has the paths scripts read")
    func json() async throws {
        let sources = [ScriptedSource("a", address: "203.0.113.50"), ScriptedSource("b", address: "203.0.113.50")]
        let report = await PublicIPDetector(sources: sources, settings: Self.settings()).detect()
        let data = try StatusJSON.encoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ipv4 = try #require(object["ipv4"] as? [String: Any])
        #expect(ipv4["address"] as? String == "203.0.113.50")
        #expect(ipv4["agreeing_sources"] as? [String] == ["a", "b"])
        let ipv6 = try #require(object["ipv6"] as? [String: Any])
        #expect(ipv6["address"] is NSNull)
        let verdict = try #require(object["verdict"] as? [String: Any])
        #expect(verdict["kind"] as? String == "no-router-info")
        let firstSource = try #require((object["sources"] as? [[String: Any]])?.first)
        #expect(Set(firstSource.keys) == ["name", "kind", "family", "address", "latency_ms", "error"])
        #expect(object["echo_requests"] as? Int == 2)
        let text = report.text()
        #expect(text.contains("IPv4: 203.0.113.50  (agreed: a, b)"))
        #expect(text.contains("NAT: no-router-info"))
        let decoded = try JSONDecoder().decode(DetectionReport.self, from: data)
        #expect(decoded.ipv4 == report.ipv4)
        #expect(decoded.verdict == report.verdict)
    }
}
