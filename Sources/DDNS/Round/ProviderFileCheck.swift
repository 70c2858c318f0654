import Foundation

/// `homeport providers lint FILE`: checks one provider file the way the daemon would load it,
/// with the shared `_*.toml` templates of the given sets (and of the file's own directory).
public enum ProviderFileCheck {
    public static func problems(file: String, templateSets: [ProviderSet]) -> [ProviderLintError] {
        guard FileManager.default.fileExists(atPath: file) else {
            return [ProviderLintError(file: file, line: nil, field: "file", message: "does not exist", fix: "give the path of a providers/<name>.toml file")]
        }
        guard file.hasSuffix(".toml") else {
            return [ProviderLintError(file: file, line: nil, field: "file", message: "provider files end in .toml",
                                      fix: "name it <provider>.toml; the name before .toml is the provider's name")]
        }
        var templates: [String: ProviderSource] = [:]
        let ownDirectory = (file as NSString).deletingLastPathComponent
        for set in templateSets + [.directory(ownDirectory.isEmpty ? "." : ownDirectory)] {
            for source in ProviderSource.list(set).sources where source.isTemplate {
                templates[source.name] = source
            }
        }
        switch ProviderCatalog.loadFile(ProviderSource(path: file), templates: templates) {
        case .success: return []
        case .failure(let problems): return problems.errors
        }
    }
}
