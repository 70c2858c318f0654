import Foundation
import History
import InternetAddress

/// AWS Route 53: one signed `ChangeResourceRecordSets` UPSERT per family (docs/ddns-providers.md#signed-requests).
/// UPSERT creates or replaces, so no read is needed first.
public struct Route53Adapter: DDNSAdapter {
    public let provider: ProviderDefinition
    public let environment: DDNSEnvironment
    let now: @Sendable () -> Date

    public init(provider: ProviderDefinition, environment: DDNSEnvironment) {
        self.init(provider: provider, environment: environment, now: { Date() })
    }

    init(provider: ProviderDefinition, environment: DDNSEnvironment, now: @escaping @Sendable () -> Date) {
        self.provider = provider
        self.environment = environment
        self.now = now
    }

    public func update(_ request: DDNSUpdateRequest) async -> DDNSUpdateResult {
        let settings: ResolvedSettings
        switch ResolvedSettings.resolve(provider: provider, request: request) {
        case .success(let resolved): settings = resolved
        case .failure(let problem): return .all(request, problem.outcome, problem.message)
        }
        guard let keyID = settings.values["access_key_id"], let secret = settings.values["secret_access_key"],
              let zoneID = settings.values["hosted_zone_id"] else {
            return .all(request, .hostError, "route53 needs access_key_id, secret_access_key and hosted_zone_id")
        }
        var redactor = settings.redactor
        redactor.add(secret)
        var records: [DDNSRecordResult] = []
        for family in IPFamily.allCases {
            guard let address = request.address(family) else { continue }
            let ttl = request.ttl ?? settings.values["ttl"].flatMap(Int.init) ?? provider.defaultTTL ?? 300
            var result = await upsert(family: family, address: address, hostname: request.hostname, ttl: ttl, zoneID: zoneID,
                                      signer: SigV4Signer(accessKeyID: keyID, secretAccessKey: secret, region: "us-east-1", service: "route53"),
                                      server: settings.values["server"], redactor: redactor)
            result.message = redactor.redact(result.message)
            records.append(result)
        }
        return records.isEmpty ? .all(request, .error, "no address to publish") : DDNSUpdateResult(records: records)
    }

    static func changeBatch(hostname: String, type: String, ttl: Int, address: String) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>\
        <Action>UPSERT</Action><ResourceRecordSet><Name>\(escape(hostname))</Name><Type>\(type)</Type><TTL>\(ttl)</TTL>\
        <ResourceRecords><ResourceRecord><Value>\(escape(address))</Value></ResourceRecord></ResourceRecords>\
        </ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>
        """
    }

    private func upsert(family: IPFamily, address: IPAddress, hostname: String, ttl: Int, zoneID: String, signer: SigV4Signer,
                        server: String?, redactor: SecretRedactor) async -> DDNSRecordResult {
        var base = provider.baseURL ?? "https://route53.amazonaws.com"
        if let server {
            do { base = try ServerOverride.apply(server, toBase: base) } catch {
                return DDNSRecordResult(family: family, outcome: .hostError, message: error.description)
            }
        }
        guard let baseURL = URLComponents(string: base), let host = baseURL.host else {
            return DDNSRecordResult(family: family, outcome: .hostError, message: "invalid base URL \(base)")
        }
        let hostHeader = baseURL.port.map { "\(host):\($0)" } ?? host
        let path = "/2013-04-01/hostedzone/\(PercentEncoding.pathSegment(zoneID))/rrset"
        let body = Array(Self.changeBatch(hostname: hostname, type: family.recordType.description, ttl: ttl, address: address.description).utf8)
        let contentType = "application/xml"
        let signed = signer.sign(method: "POST", path: path, headers: [("content-type", contentType), ("host", hostHeader)], body: body, date: now())
        let url = base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
        let httpRequest = DDNSHTTPRequest(method: "POST", url: url, headers: [
            ("User-Agent", environment.userAgent), ("Content-Type", contentType), ("Host", hostHeader),
            ("X-Amz-Date", signed.amzDate), ("Authorization", signed.authorization),
        ], body: Data(body), timeout: environment.timeout)
        let response: DDNSHTTPResponse
        do {
            response = try await environment.transport.send(httpRequest)
        } catch {
            return DDNSRecordResult(family: family, outcome: error.isTransientAtProvider ? .retryLater : .error, message: error.description)
        }
        let text = String(decoding: response.body, as: UTF8.self)
        let code = Self.element("Code", in: text) ?? ""
        let detail = Self.element("Message", in: text) ?? redactor.excerpt(response.body)
        let message = code.isEmpty ? "HTTP \(response.status): \(detail)" : "HTTP \(response.status) \(code): \(detail)"
        let outcome: DDNSOutcome
        switch (response.status, code) {
        case (200...299, _): outcome = .updated
        case (_, "RequestTimeTooSkewed"), (_, "RequestExpired"):
            outcome = .retryLater   // clock skew: fixable by NTP, not by the user's config
        case (_, "SignatureDoesNotMatch") where detail.lowercased().contains("expired") || detail.lowercased().contains("time"):
            outcome = .retryLater
        case (_, "SignatureDoesNotMatch"), (_, "InvalidClientTokenId"), (_, "AccessDenied"), (_, "IncompleteSignature"),
             (_, "MissingAuthenticationToken"), (_, "UnrecognizedClientException"):
            outcome = .authError
        case (_, "NoSuchHostedZone"), (_, "InvalidChangeBatch"), (_, "InvalidInput"), (_, "InvalidDomainName"):
            outcome = .hostError
        case (_, "Throttling"), (_, "PriorRequestNotComplete"), (429, _), (500...599, _):
            outcome = .retryLater
        case (401, _), (403, _):
            outcome = .authError
        default:
            outcome = .error
        }
        var retry: Duration?
        if outcome == .retryLater, let header = response.headers["retry-after"] { retry = RetryAfter.parse(header) }
        return DDNSRecordResult(family: family, outcome: outcome, message: outcome == .updated ? "change submitted (\(Self.element("Status", in: text) ?? "PENDING"))" : message,
                                retryAfter: retry)
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}
