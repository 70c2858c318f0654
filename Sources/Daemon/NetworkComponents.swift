import Config
import DNSWire
import Foundation
import InternetAddress
import Logging
import PortMapping
import PublicIP

/// Builds the public-address and router pieces from the configuration, the same way for
/// `homeport run`, `homeport ip` and `homeport portmap`.
public enum NetworkComponents {
    public static func mapperConfiguration(_ router: RouterSettings) -> PortMapper.Configuration {
        var configuration = PortMapper.Configuration(gatewayOverride: router.gateway)
        if !router.enabled { configuration.protocols = [] }
        return configuration
    }

    public static func detectionSettings(_ ip: IPSettings) -> DetectionSettings {
        var settings = DetectionSettings()
        settings.ipv4Enabled = ip.ipv4
        settings.ipv6Enabled = ip.ipv6
        settings.dnsEnabled = ip.dns
        settings.interval = ip.interval
        settings.routerInterval = ip.routerInterval
        settings.httpTimeout = ip.timeout
        if let urls = ip.httpIPv4 { settings.httpSourcesIPv4 = endpoints(urls, family: .ipv4) }
        if let urls = ip.httpIPv6 { settings.httpSourcesIPv6 = endpoints(urls, family: .ipv6) }
        let sourceCounts = IPFamily.allCases.filter(settings.isEnabled).map { family in
            settings.httpSources(family).count + (settings.dnsEnabled ? 2 : 0)
        }
        // "Two agreeing sources, or one when only one is configured."
        settings.requiredAgreement = ip.agreement ?? ((sourceCounts.max() ?? 0) <= 1 ? 1 : 2)
        // The hop probe aims at the first echo service given by address; traceroute-style
        // probes toward a name would need a DNS lookup first, so the default target stays.
        if let literal = (settings.httpSourcesIPv4.first?.url.host).flatMap(IPAddress.init) {
            settings.hopProbeTarget = literal
        }
        return settings
    }

    static func endpoints(_ urls: [String], family: IPFamily) -> [HTTPEchoEndpoint] {
        urls.compactMap { text in
            guard let url = URL(string: text) else { return nil }
            // Cloudflare's trace endpoint answers `ip=...` among other lines.
            let style: HTTPEchoEndpoint.Style = url.path.hasSuffix("/cdn-cgi/trace") ? .cloudflareTrace : .plain
            return HTTPEchoEndpoint(url: url, style: style, family: family)
        }
    }

    public static func detector(config: HomeportConfig, mapper: PortMapper?, logger: Logger) -> PublicIPDetector {
        let router: (any RouterFactsProvider)? = mapper.map { mapper in
            RouterFactsClosure { routerFacts(from: await mapper.probe()) }
        }
        return PublicIPDetector(settings: detectionSettings(config.ip), dnsResolver: DNSWireEchoResolver(), router: router, logger: logger)
    }

    /// The router's WAN address as the verdict reads it (no text in between).
    static func externalAddress(_ reported: RouterWANAddress?) -> RouterFacts.ExternalAddress {
        switch reported {
        case nil: return .unknown
        case .empty: return .empty
        case .address(let address): return .address(address)
        case .invalid(let text): return .invalid(text)
        }
    }

    /// What the verdict needs from a router probe.
    public static func routerFacts(from report: RouterReport) -> RouterFacts {
        let answered = report.results.filter(\.available)
        guard let first = answered.first else {
            return RouterFacts(gateway: report.gateway)
        }
        // A reported address beats an empty report, which beats silence: an empty report is
        // itself the evidence (miniupnpd >= 2.2 behind carrier or double NAT).
        let chosen = answered.first { $0.externalAddress.map { $0 != .empty } == true } ?? answered.first { $0.externalAddress != nil } ?? first
        var facts = RouterFacts(gateway: report.gateway,
                                mappingProtocol: RouterFacts.MappingProtocol(rawValue: chosen.mappingProtocol.rawValue) ?? .none,
                                externalAddress: Self.externalAddress(chosen.externalAddress))
        if let refused = answered.first(where: { $0.mapping.status == .refused }) {
            // The code's name in its own protocol ("NO_RESOURCES"); -1 is an unusable answer,
            // which only the reason describes.
            let code = refused.mapping.code ?? -1
            let detail = code >= 0 ? PortMappingError.refusalName(code: code, mappingProtocol: refused.mappingProtocol) : refused.mapping.reason ?? ""
            facts.mappingRefused = RouterFacts.MappingRefusal(
                mappingProtocol: RouterFacts.MappingProtocol(rawValue: refused.mappingProtocol.rawValue) ?? .none,
                code: code, detail: detail)
        }
        if let granted = answered.first(where: { $0.mapping.status == .works }) {
            facts.mappingGranted = RouterFacts.MappingProtocol(rawValue: granted.mappingProtocol.rawValue)
        }
        return facts
    }
}

/// Answers DNS echo questions (`myip.opendns.com`, `whoami.cloudflare` TXT CH) with DNSWire.
public struct DNSWireEchoResolver: DNSEchoResolver {
    public init() {}

    public func answers(to question: DNSEchoQuestion, timeout: Duration) async throws -> [DNSEchoAnswer] {
        let type: DNSRecordType = switch question.type {
        case .a: .a
        case .aaaa: .aaaa
        case .txt: .txt
        }
        let query = DNSMessage.query(name: try DNSName(question.name), type: type,
                                     recordClass: question.recordClass == .chaos ? .chaos : .internet)
        let server = DNSServer(address: question.server, port: question.port)
        let exchange = DNSExchange(timeout: timeout, attempts: 1)
        let answer = try await exchange.send(query, to: server).message
        return answer.answers.compactMap { record in
            if let address = record.data.address { return .address(address) }
            return record.data.textStrings.map { .text($0.joined()) }
        }
    }
}
