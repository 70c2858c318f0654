/// One provider file from providers/, compiled into homeport (see BuiltinProviderFiles).
struct BuiltinProviderFile: Sendable {
    /// The file name without `.toml`: the provider's name, or `_name` for a template.
    let name: String
    let text: String
}
