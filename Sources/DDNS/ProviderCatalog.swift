import Config
import Foundation
import TOMLKit

/// Every provider definition found in the provider sets, with the problems found while
/// reading them. Files whose name starts with `_` are shared templates for `based_on` and are
/// not providers themselves. A later set overrides a provider of the same name from an earlier
/// one (so user files replace built-in ones).
public struct ProviderCatalog: Sendable {
    public private(set) var providers: [String: ProviderDefinition] = [:]
    public private(set) var errors: [ProviderLintError] = []
    /// Where each provider name was read from.
    public private(set) var origins: [String: ProviderOrigin] = [:]
    /// For a provider a later set replaced: where the replaced definition was.
    public private(set) var replaced: [String: ProviderOrigin] = [:]
    /// Every set looked at, in order, and what was found there.
    public private(set) var searched: [SearchedProviderSet] = []

    /// Swift adapter kinds a provider file may name with `kind = "…"`.
    public static let swiftKinds: Set<String> = ["route53", "rfc2136"]

    public init() {}

    /// Reads `*.toml` from each set in order; missing directories are skipped (and shown as
    /// such in `searched`).
    public static func load(_ sets: [ProviderSet]) -> ProviderCatalog {
        var catalog = ProviderCatalog()
        var templates: [String: ProviderSource] = [:]
        var providerSources: [String: ProviderSource] = [:]
        for set in sets {
            let (sources, searched) = ProviderSource.list(set)
            catalog.searched.append(searched)
            for source in sources {
                if source.isTemplate {
                    templates[source.name] = source
                } else {
                    if let earlier = providerSources[source.name] { catalog.replaced[source.name] = earlier.origin }
                    providerSources[source.name] = source
                }
            }
        }
        for (name, source) in providerSources.sorted(by: { $0.key < $1.key }) {
            catalog.origins[name] = source.origin
            switch loadFile(source, templates: templates) {
            case .success(let definition): catalog.providers[name] = definition
            case .failure(let problems): catalog.errors.append(contentsOf: problems.errors)
            }
        }
        return catalog
    }

    /// Reads `*.toml` from each directory in order, without the built-in set.
    public static func load(directories: [String]) -> ProviderCatalog {
        load(directories.map(ProviderSet.directory))
    }

    public var names: [String] { providers.keys.sorted() }

    public func provider(_ name: String) -> ProviderDefinition? { providers[name] }

    /// "the built-in providers (85) and /etc/homeport/providers (no such directory)", for
    /// messages about a provider name that is not there.
    public var searchedDescription: String {
        let parts = searched.map(\.description)
        guard let last = parts.last else { return "nowhere (no provider sets)" }
        return parts.count == 1 ? last : parts.dropLast().joined(separator: ", ") + " and " + last
    }

    /// "no provider named 'x' (did you mean 'y'?); looked in …; `homeport providers list`
    /// shows them all".
    public func unknownProviderMessage(_ name: String) -> String {
        var message = "no provider named '\(name)'"
        if let guess = NameSuggestion.closest(to: name, in: names) { message += " (did you mean '\(guess)'?)" }
        return message + "; looked in \(searchedDescription); `homeport providers list` shows them all"
    }

    struct Problems: Error { var errors: [ProviderLintError] }

    /// Reads one provider file, applying its `based_on` template.
    static func loadFile(_ source: ProviderSource, templates: [String: ProviderSource]) -> Result<ProviderDefinition, Problems> {
        switch readTOML(source) {
        case .failure(let error): return .failure(Problems(errors: [error]))
        case .success(let (root, text)):
            let path = source.label
            let lines = SourceLineIndex(text: text)
            var merged = annotateSections(root)
            if let base = root["based_on"] {
                guard let baseName = base.string else {
                    return .failure(Problems(errors: [ProviderLintError(file: path, line: lines.line(of: "based_on", in: ""), field: "based_on",
                                                                          message: "must be a string", fix: "write based_on = \"_dyndns2\"")]))
                }
                let key = baseName.hasPrefix("_") ? baseName : "_" + baseName
                guard let baseSource = templates[key] else {
                    return .failure(Problems(errors: [ProviderLintError(file: path, line: lines.line(of: "based_on", in: ""), field: "based_on",
                                                                          message: "no template \(key).toml next to the provider files",
                                                                          fix: "use one of: \(templates.keys.sorted().joined(separator: ", "))")]))
                }
                switch readTOML(baseSource) {
                case .failure(let error): return .failure(Problems(errors: [error]))
                case .success(let (baseRoot, _)):
                    var parent = baseRoot.mapValues(stripSections)
                    parent["based_on"] = nil
                    merged = ProviderMerge.merge(parent: parent, child: merged)
                }
            }
            var parser = ProviderDefinitionParser(name: source.name, file: path, lines: lines, swiftKinds: swiftKinds)
            if let definition = parser.parse(merged), parser.errors.isEmpty { return .success(definition) }
            return .failure(Problems(errors: parser.errors))
        }
    }

    static func readTOML(_ source: ProviderSource) -> Result<([String: TOMLNode], String), ProviderLintError> {
        let path = source.label
        let text: String
        switch source.text() {
        case .failure(let error): return .failure(error)
        case .success(let read): text = read
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
