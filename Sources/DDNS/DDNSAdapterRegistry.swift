/// Maps provider names to adapters: template providers run on the engine; providers whose
/// file says `kind = "route53"`, `kind = "rfc2136"`, … get the Swift adapter registered for
/// that kind. The daemon registers the RFC 2136 adapter (its module sits outside DDNS).
public struct DDNSAdapterRegistry: Sendable {
    public typealias Factory = @Sendable (ProviderDefinition, DDNSEnvironment) -> any DDNSAdapter

    public let catalog: ProviderCatalog
    public let environment: DDNSEnvironment
    private var factories: [String: Factory]

    public init(catalog: ProviderCatalog, environment: DDNSEnvironment = DDNSEnvironment()) {
        self.catalog = catalog
        self.environment = environment
        self.factories = ["route53": { provider, environment in Route53Adapter(provider: provider, environment: environment) }]
    }

    /// Adds or replaces the Swift adapter for a `kind`.
    public mutating func register(kind: String, factory: @escaping Factory) {
        factories[kind] = factory
    }

    /// The adapter for a provider name, or nil when there is no such provider (or its kind
    /// has no registered adapter, e.g. rfc2136 before the daemon registers it).
    public func adapter(for name: String) -> (any DDNSAdapter)? {
        guard let provider = catalog.provider(name) else { return nil }
        if provider.kind == "template" { return TemplateAdapter(provider: provider, environment: environment) }
        return factories[provider.kind].map { $0(provider, environment) }
    }
}
