/// Placeholder until the SigV4 adapter lands.
struct Route53Adapter: DDNSAdapter {
    let provider: ProviderDefinition
    let environment: DDNSEnvironment

    func update(_ request: DDNSUpdateRequest) async -> DDNSUpdateResult {
        .all(request, .error, "route53 is not implemented yet")
    }
}
