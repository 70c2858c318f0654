import Config
import Foundation
import TOMLKit

/// Every provider definition found in the provider directories, with the problems found
/// while reading them. Files whose name starts with `_` are shared templates for `based_on`
/// and are not providers themselves. A later directory overrides a provider of the same name
/// from an earlier one (so user files replace shipped ones).
public struct ProviderCatalog: Sendable {
    public private(set) var providers: [String: ProviderDefinition] = [:]
    public private(set) var errors: [ProviderLintError] = []
    /// The provider file each name was read from.
    public private(set) var files: [String: String] = [:]

    /// Swift adapter kinds a provider file may name with `kind = "…"`.
    public static let swiftKinds: Set<String> = ["route53", "rfc2136"]

    public init() {}

    /// Reads `*.toml` from each directory in order; missing directories are skipped.
    public static func load(directories: [String]) -> ProviderCatalog {
        var catalog = ProviderCatalog()
        var templates: [String: String] = [:]
        var providerFiles: [String: String] = [:]
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for file in names.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                let path = (directory as NSString).appendingPathComponent(file)
                if name.hasPrefix("_") { templates[name] = path } else { providerFiles[name] = path }
            }
        }
        for name in providerFiles.keys.sorted() {
            let path = providerFiles[name]!
            catalog.files[name] = path
            switch loadFile(name: name, path: path, templates: templates) {
            case .success(let definition): catalog.providers[name] = definition
            case .failure(let problems): catalog.errors.append(contentsOf: problems.errors)
            }
        }
        return catalog
    }

    public var names: [String] { providers.keys.sorted() }

    public func provider(_ name: String) -> ProviderDefinition? { providers[name] }

    struct Problems: Error { var errors: [ProviderLintError] }

    /// Reads one provider file, applying its `based_on` template.
    static func loadFile(name: String, path: String, templates: [String: String]) -> Result<ProviderDefinition, Problems> {
        switch readTOML(path) {
        case .failure(let error): return .failure(Problems(errors: [error]))
        case .success(let (root, text)):
            let lines = SourceLineIndex(text: text)
            var merged = annotateSections(root)
            if let base = root["based_on"] {
                guard let baseName = base.string else {
                    return .failure(Problems(errors: [ProviderLintError(file: path, line: lines.line(of: "based_on", in: ""), field: "based_on",
                                                                          message: "must be a string", fix: "write based_on = \"_dyndns2\"")]))
                }
                let key = baseName.hasPrefix("_") ? baseName : "_" + baseName
                guard let basePath = templates[key] else {
                    return .failure(Problems(errors: [ProviderLintError(file: path, line: lines.line(of: "based_on", in: ""), field: "based_on",
                                                                          message: "no template \(key).toml next to the provider files",
                                                                          fix: "use one of: \(templates.keys.sorted().joined(separator: ", "))")]))
                }
                switch readTOML(basePath) {
                case .failure(let error): return .failure(Problems(errors: [error]))
                case .success(let (baseRoot, _)):
                    var parent = baseRoot.mapValues(stripSections)
                    parent["based_on"] = nil
                    merged = ProviderMerge.merge(parent: parent, child: merged)
                }
            }
            var parser = ProviderDefinitionParser(name: name, file: path, lines: lines, swiftKinds: swiftKinds)
            if let definition = parser.parse(merged), parser.errors.isEmpty { return .success(definition) }
            return .failure(Problems(errors: parser.errors))
        }
    }

    static func readTOML(_ path: String) -> Result<([String: TOMLNode], String), ProviderLintError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ProviderLintError(file: path, line: nil, field: "file", message: "cannot be read", fix: "check that it exists and is readable"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ProviderLintError(file: path, line: nil, field: "file", message: "is not UTF-8 text", fix: "save it as UTF-8"))
        }
        if let violation = TOMLInputLimits.check(text) {
            return .failure(ProviderLintError(file: path, line: violation.line, field: "syntax", message: violation.message,
                                              fix: "shorten the key, line or nesting there"))
        }
        do {
            let table = try TOMLTable(string: text)
            return .success((TOMLNode.dictionary(table), text))
        } catch let error as TOMLParseError {
            return .failure(ProviderLintError(file: path, line: error.source.begin.line, field: "syntax", message: "not valid TOML: \(error.description)",
                                              fix: "correct the TOML syntax on that line"))
        } catch {
            return .failure(ProviderLintError(file: path, line: nil, field: "syntax", message: "not valid TOML: \(error)", fix: "correct the TOML syntax"))
        }
    }

    /// Tags each step with where it stands in its own file, so errors point at the right line
    /// after merging reorders steps.
    private static func annotateSections(_ root: [String: TOMLNode]) -> [String: TOMLNode] {
        var root = root
        if let steps = root["step"]?.array {
            root["step"] = .array(steps.enumerated().map { index, node in
                guard var table = node.table else { return node }
                table["__section"] = .string("step#\(index)")
                return .table(table)
            })
        }
        return root
    }

    private static func stripSections(_ node: TOMLNode) -> TOMLNode { node }
}

/// How a provider file overrides its `based_on` template: scalars replace; `settings`,
/// `query`, `headers`, `form`, `capture` and `auth` merge key by key (`false` removes an
/// inherited key); `[[step]]` entries merge with the template's step of the same name (new
/// names are appended); `[[rule]]` lists are tried child-first, then the template's.
enum ProviderMerge {
    static func merge(parent: [String: TOMLNode], child: [String: TOMLNode]) -> [String: TOMLNode] {
        var result = parent
        for (key, value) in child {
            switch key {
            case "settings":
                result[key] = .table(mergeTables(parent[key]?.table ?? [:], value.table ?? [:], deep: true))
            case "rule":
                result[key] = .array((value.array ?? []) + (parent[key]?.array ?? []))
            case "step":
                result[key] = .array(mergeSteps(parent[key]?.array ?? [], value.array ?? []))
            default:
                result[key] = value
            }
        }
        return result
    }

    static func mergeSteps(_ parent: [TOMLNode], _ child: [TOMLNode]) -> [TOMLNode] {
        var steps = parent
        for node in child {
            guard let table = node.table else { steps.append(node); continue }
            let name = table["name"]?.string
            if let index = steps.firstIndex(where: { $0.table?["name"]?.string == name }), let base = steps[index].table {
                var merged = base
                for (key, value) in table {
                    switch key {
                    case "query", "headers", "form", "capture", "auth":
                        merged[key] = .table(mergeTables(base[key]?.table ?? [:], value.table ?? [:], deep: false))
                    case "rule":
                        merged[key] = .array((value.array ?? []) + (base[key]?.array ?? []))
                    default:
                        merged[key] = value
                    }
                }
                steps[index] = .table(merged)
            } else {
                steps.append(node)
            }
        }
        return steps
    }

    static func mergeTables(_ parent: [String: TOMLNode], _ child: [String: TOMLNode], deep: Bool) -> [String: TOMLNode] {
        var result = parent
        for (key, value) in child {
            if deep, let childTable = value.table, let parentTable = parent[key]?.table {
                result[key] = .table(mergeTables(parentTable, childTable, deep: false))
            } else {
                result[key] = value
            }
        }
        return result
    }
}
