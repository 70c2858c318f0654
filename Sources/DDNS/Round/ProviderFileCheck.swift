import Foundation

/// `homeport providers lint FILE`: checks one provider file the way the daemon would load it,
/// with the shared `_*.toml` templates of the given directories (and the file's own).
public enum ProviderFileCheck {
    public static func problems(file: String, templateDirectories: [String]) -> [ProviderLintError] {
        guard FileManager.default.fileExists(atPath: file) else {
            return [ProviderLintError(file: file, line: nil, field: "file", message: "does not exist", fix: "give the path of a providers/<name>.toml file")]
        }
        guard file.hasSuffix(".toml") else {
            return [ProviderLintError(file: file, line: nil, field: "file", message: "provider files end in .toml",
                                      fix: "name it <provider>.toml; the name before .toml is the provider's name")]
        }
        var templates: [String: String] = [:]
        let ownDirectory = (file as NSString).deletingLastPathComponent
        for directory in templateDirectories + [ownDirectory.isEmpty ? "." : ownDirectory] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("_") && name.hasSuffix(".toml") {
                templates[String(name.dropLast(5))] = (directory as NSString).appendingPathComponent(name)
            }
        }
        let name = String(((file as NSString).lastPathComponent).dropLast(5))
        switch ProviderCatalog.loadFile(name: name, path: file, templates: templates) {
        case .success: return []
        case .failure(let problems): return problems.errors
        }
    }
}
