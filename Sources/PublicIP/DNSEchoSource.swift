import Foundation
import InternetAddress

/// One DNS question that echoes the asker's address, e.g. `myip.opendns.com A IN @208.67.222.222`.
public struct DNSEchoQuestion: Sendable, Equatable {
    public enum RecordType: String, Sendable { case a = "A", aaaa = "AAAA", txt = "TXT" }
    public enum RecordClass: String, Sendable { case internet = "IN", chaos = "CH" }

    public var name: String
    public var type: RecordType
    public var recordClass: RecordClass
    /// The server to ask directly; the transport family decides which of our addresses it sees.
    public var server: IPAddress
    public var port: Int

    public init(name: String, type: RecordType, recordClass: RecordClass = .internet, server: IPAddress, port: Int = 53) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.server = server
        self.port = port
    }
}

/// One datum of an answer section: an A/AAAA record's address, or a TXT record's text.
public enum DNSEchoAnswer: Sendable, Equatable {
    case address(IPAddress)
    case text(String)
}

/// The seam for DNS: whoever owns a DNS client (DNSWire) answers a question with the answer
/// section's data, or throws.
public protocol DNSEchoResolver: Sendable {
    func answers(to question: DNSEchoQuestion, timeout: Duration) async throws -> [DNSEchoAnswer]
}

/// Our address as a DNS server sees it. The first answer that parses as an address counts.
public struct DNSEchoSource: PublicIPSource {
    public let name: String
    public let family: IPFamily
    public let question: DNSEchoQuestion
    public let resolver: any DNSEchoResolver
    public let timeout: Duration
    public var kind: SourceKind { .dns }
    public var request: String {
        let server = question.server.family == .ipv6 ? "[\(question.server)]" : "\(question.server)"
        return "\(question.name) \(question.recordClass.rawValue) \(question.type.rawValue) from \(server):\(question.port) over UDP"
    }

    public init(name: String, family: IPFamily, question: DNSEchoQuestion, resolver: any DNSEchoResolver, timeout: Duration = .seconds(1)) {
        self.name = name
        self.family = family
        self.question = question
        self.resolver = resolver
        self.timeout = timeout
    }

    public func lookup() async -> SourceAnswer {
        let start = ContinuousClock.now
        let resolver = self.resolver, question = self.question, timeout = self.timeout
        let result: Result<[DNSEchoAnswer], any Error>? = await withTimeout(timeout) {
            do { return .success(try await resolver.answers(to: question, timeout: timeout)) } catch { return .failure(error) }
        }
        let latency = ContinuousClock.now - start
        switch result {
        case nil:
            return .failure(.timeout, latency: latency)
        case .failure(let error)?:
            return .failure(.transport(String(describing: error)), latency: latency)
        case .success(let answers)?:
            return Self.answer(from: answers, family: family, latency: latency)
        }
    }

    static func answer(from answers: [DNSEchoAnswer], family: IPFamily, latency: Duration) -> SourceAnswer {
        // TXT text (whoami.cloudflare) is the edge where an address arrives as text.
        let candidates = answers.map { answer -> (address: IPAddress?, shown: String) in
            switch answer {
            case .address(let address):
                return (address, address.description)
            case .text(let text):
                let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines.union(["\""]))
                return (IPAddress(cleaned), cleaned)
            }
        }
        guard let first = candidates.first else { return .failure(.noAddress("empty answer section"), latency: latency) }
        guard let address = candidates.lazy.compactMap(\.address).first else {
            return .failure(.unparsable(String(first.shown.prefix(40))), latency: latency)
        }
        return .validated(address, family: family, latency: latency)
    }

    /// The documented whoami services (docs/public-ip-and-nat.md#sources): OpenDNS `myip.opendns.com` A/AAAA and
    /// Cloudflare `whoami.cloudflare` TXT CH, each asked over the family it detects.
    public static func defaults(resolver: any DNSEchoResolver, family: IPFamily, timeout: Duration = .seconds(1)) -> [DNSEchoSource] {
        var sources: [DNSEchoSource] = []
        switch family {
        case .ipv4:
            if let opendns = IPAddress("208.67.222.222") {
                sources.append(DNSEchoSource(name: "myip.opendns.com@resolver1.opendns.com", family: .ipv4,
                                             question: DNSEchoQuestion(name: "myip.opendns.com", type: .a, server: opendns),
                                             resolver: resolver, timeout: timeout))
            }
            if let cloudflare = IPAddress("1.1.1.1") {
                sources.append(DNSEchoSource(name: "whoami.cloudflare@1.1.1.1", family: .ipv4,
                                             question: DNSEchoQuestion(name: "whoami.cloudflare", type: .txt, recordClass: .chaos, server: cloudflare),
                                             resolver: resolver, timeout: timeout))
            }
        case .ipv6:
            if let opendns = IPAddress("2620:119:35::35") {
                sources.append(DNSEchoSource(name: "myip.opendns.com@2620:119:35::35", family: .ipv6,
                                             question: DNSEchoQuestion(name: "myip.opendns.com", type: .aaaa, server: opendns),
                                             resolver: resolver, timeout: timeout))
            }
            if let cloudflare = IPAddress("2606:4700:4700::1111") {
                sources.append(DNSEchoSource(name: "whoami.cloudflare@2606:4700:4700::1111", family: .ipv6,
                                             question: DNSEchoQuestion(name: "whoami.cloudflare", type: .txt, recordClass: .chaos, server: cloudflare),
                                             resolver: resolver, timeout: timeout))
            }
        }
        return sources
    }
}
