import Foundation

/// One provider file the catalog may load: built-in text or a file on disk.
struct ProviderSource: Sendable {
    /// The file name without `.toml`.
    let name: String
    let origin: ProviderOrigin
    /// The text of a built-in file; a file on disk is read when it is loaded.
    private let builtInText: String?

    init(builtIn file: BuiltinProviderFile) {
        name = file.name
        origin = .builtIn
        builtInText = file.text
    }

    init(path: String) {
        name = String(((path as NSString).lastPathComponent).dropLast(".toml".count))
        origin = .file(path)
        builtInText = nil
    }

    /// How messages name the file: its path, or `built-in providers/<name>.toml` (the file
    /// in the source tree it was compiled from).
    var label: String {
        switch origin {
        case .builtIn: return "built-in providers/\(name).toml"
        case .file(let path): return path
        }
    }

    var isTemplate: Bool { name.hasPrefix("_") }

    /// The file's text, or why it cannot be had.
    func text() -> Result<String, ProviderLintError> {
        if let builtInText { return .success(builtInText) }
        guard let data = FileManager.default.contents(atPath: label) else {
            return .failure(ProviderLintError(file: label, line: nil, field: "file", message: "cannot be read", fix: "check that it exists and is readable"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ProviderLintError(file: label, line: nil, field: "file", message: "is not UTF-8 text", fix: "save it as UTF-8"))
        }
        return .success(text)
    }

    /// Every `*.toml` of a set, sorted by name, and what was found there.
    static func list(_ set: ProviderSet) -> (sources: [ProviderSource], searched: SearchedProviderSet) {
        switch set {
        case .builtIn:
            let sources = BuiltinProviderFiles.all.map(ProviderSource.init(builtIn:))
            return (sources, SearchedProviderSet(set: set, state: .found(providers: sources.filter { !$0.isTemplate }.count)))
        case .directory(let directory):
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                let state: SearchedProviderSet.State = FileManager.default.fileExists(atPath: directory) ? .unreadable : .missing
                return ([], SearchedProviderSet(set: set, state: state))
            }
            let sources = names.sorted().filter { $0.hasSuffix(".toml") }.map { ProviderSource(path: (directory as NSString).appendingPathComponent($0)) }
            return (sources, SearchedProviderSet(set: set, state: .found(providers: sources.filter { !$0.isTemplate }.count)))
        }
    }
}

/// A place the catalog looked for providers and what it found, for "no provider named …"
/// messages that say where they looked.
public struct SearchedProviderSet: Sendable, Equatable, CustomStringConvertible {
    public enum State: Sendable, Equatable {
        case found(providers: Int)
        case missing
        case unreadable
    }

    public var set: ProviderSet
    public var state: State

    public var description: String {
        let place: String
        switch set {
        case .builtIn:
            if case .found(let count) = state { return "the \(count) built-in providers" }
            place = "the built-in providers"
        case .directory(let path): place = path
        }
        switch state {
        case .found(let count): return "\(place) (\(count) provider\(count == 1 ? "" : "s"))"
        case .missing: return "\(place) (no such directory)"
        case .unreadable: return "\(place) (cannot be read)"
        }
    }
}
