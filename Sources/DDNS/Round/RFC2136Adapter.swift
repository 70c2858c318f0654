import Config
import DNSWire
import History
import InternetAddress

/// `kind = "rfc2136"`: the provider file's settings (server, port, zone, TSIG key) handed to
/// `RFC2136Updater`, one signed UPDATE per family.
public struct RFC2136Adapter: DDNSAdapter {
    let provider: ProviderDefinition
    let updater: RFC2136Updater

    public init(provider: ProviderDefinition, updater: RFC2136Updater = RFC2136Updater()) {
        self.provider = provider
        self.updater = updater
    }

    public func update(_ request: DDNSUpdateRequest) async -> DDNSUpdateResult {
        let settings: ResolvedSettings
        switch ResolvedSettings.resolve(provider: provider, request: request) {
        case .success(let resolved): settings = resolved
        case .failure(let problem): return .all(request, problem.outcome, problem.message)
        }
        let values = settings.values
        guard let server = values["server"], !server.isEmpty else {
            return .all(request, .hostError, "setting server is required: the DNS server that accepts updates")
        }
        guard let port = Int(values["port"] ?? "53"), (1...65535).contains(port) else {
            return .all(request, .hostError, "setting port must be a port number, not \(values["port"] ?? "")")
        }
        var key: TSIGKey?
        if let name = values["key_name"], !name.isEmpty {
            guard let secret = values["key_secret"], !secret.isEmpty else {
                return .all(request, .hostError, "key_name is set but key_secret is missing; give the Base64 secret from the key file")
            }
            do {
                key = try TSIGKey(name: name, algorithm: values["key_algorithm"] ?? "hmac-sha256", secret: secret)
            } catch {
                return .all(request, .hostError, settings.redactor.redact("the TSIG key is unusable: \(error)"))
            }
        }
        var records: [DDNSRecordResult] = []
        for family in IPFamily.allCases {
            guard let address = request.address(family) else { continue }
            do {
                let result = try await updater.update(zone: values["zone"], hostname: request.hostname, addresses: [address],
                                                      ttl: request.ttl ?? provider.defaultTTL ?? 300, server: server, port: port, key: key)
                records.append(DDNSRecordResult(family: family, outcome: result.outcome, message: settings.redactor.redact(result.message)))
            } catch {
                records.append(DDNSRecordResult(family: family, outcome: .retryLater, message: "cancelled"))
            }
        }
        return DDNSUpdateResult(records: records)
    }
}

extension DDNSAdapterRegistry {
    /// The registry with every Swift adapter this module has (Route 53 and RFC 2136).
    public static func standard(catalog: ProviderCatalog, environment: DDNSEnvironment = DDNSEnvironment()) -> DDNSAdapterRegistry {
        var registry = DDNSAdapterRegistry(catalog: catalog, environment: environment)
        registry.register(kind: "rfc2136") { provider, _ in RFC2136Adapter(provider: provider) }
        return registry
    }
}
