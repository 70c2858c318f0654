import Foundation
import Subprocess
import Testing

/// The package graph as declared (Package.swift, read through `swift package dump-package`)
/// against the graph as used (the `import` lines of each target's sources). A module that is
/// imported but not declared builds only while some other dependency happens to pull it in; one
/// declared but not imported is a layering claim nobody checks. Either way the README's module
/// table and Package.swift's header would drift from the code.
@Suite struct PackageGraphTests {
    @Test("every target declares exactly the modules its sources import")
    func declaredEqualsImported() async throws {
        let package = try await PackageGraph.load()
        var problems: [String] = []
        for target in package.targets where target.type != "system" {
            let imported = try PackageGraph.imports(of: target, in: package)
            let declared = target.declared.subtracting(package.executables)
            let undeclared = imported.subtracting(declared).sorted()
            let unused = declared.subtracting(imported).sorted()
            if !undeclared.isEmpty { problems.append("\(target.name) imports but does not declare: \(undeclared.joined(separator: ", "))") }
            if !unused.isEmpty { problems.append("\(target.name) declares but never imports: \(unused.joined(separator: ", "))") }
        }
        #expect(problems.isEmpty, "Package.swift does not match the imports:\n\(problems.joined(separator: "\n"))")
    }

    /// The layering the graph exists for: reports and the CLI read the status model without
    /// the daemon's code, the daemon reads the servers' summaries without linking the servers,
    /// and libsodium has one Swift wrapper.
    @Test("the status model and the sodium wrapper keep the layers apart")
    func layering() async throws {
        let package = try await PackageGraph.load()
        let dependencies = Dictionary(uniqueKeysWithValues: package.targets.map { ($0.name, $0.declared) })
        #expect(dependencies["StatusModel"] == ["History", "InternetAddress"])
        #expect(dependencies["History"] == ["GRDB", "InternetAddress"])
        #expect(dependencies["Reports"]?.contains("Daemon") == false)
        #expect(dependencies["Daemon"]?.isDisjoint(with: ["Relay", "Rendezvous", "RustDeskWire"]) == true)
        let onSodium = dependencies.filter { $0.value.contains("CSodium") }.keys.sorted()
        #expect(onSodium == ["Sodium"])
    }
    /// Package.swift's header and the README's module table say which of the package's modules
    /// each module uses; they must say what the targets declare (checked equal to the imports).
    @Test("Package.swift's header and the README's module table describe the declared graph")
    func documentedGraph() async throws {
        let package = try await PackageGraph.load()
        let expected = package.internalGraph
        let manifest = try String(contentsOf: PackageGraph.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let readme = try String(contentsOf: PackageGraph.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for (document, described) in [("Package.swift header", PackageGraph.headerGraph(manifest, modules: package.moduleNames)),
                                      ("README module table", PackageGraph.readmeGraph(readme, modules: package.moduleNames))] {
            for name in Set(expected.keys).union(described.keys).sorted() {
                #expect(described[name] == expected[name],
                        "\(document): \(name) uses \(described[name].map { $0.sorted().description } ?? "nothing listed"); Package.swift declares \(expected[name].map { $0.sorted().description } ?? "no such module")")
            }
        }
    }
}

/// Package.swift as SwiftPM reads it, and the modules each target's sources import.
struct PackageGraph: Decodable {
    struct Target: Decodable {
        var name: String
        /// `regular`, `executable`, `test`, `system`, ...
        var type: String
        var path: String?
        var exclude: [String]
        var declared: Set<String>

        enum CodingKeys: String, CodingKey { case name, type, path, exclude, dependencies }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            type = try container.decode(String.self, forKey: .type)
            path = try container.decodeIfPresent(String.self, forKey: .path)
            exclude = try container.decodeIfPresent([String].self, forKey: .exclude) ?? []
            // Each dependency is {"byName": [name, condition]}, {"target": [name, condition]} or
            // {"product": [name, package, moduleAliases, condition]}; the name comes first. The
            // products used here are named as their modules.
            let dependencies = try container.decode([[String: [JSONScalar]]].self, forKey: .dependencies)
            declared = Set(dependencies.compactMap { $0.values.first?.first?.text })
        }
    }

    /// A string or null inside a dependency's array.
    enum JSONScalar: Decodable {
        case text(String)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            self = (try? container.decode(String.self)).map(JSONScalar.text) ?? .other
        }

        var text: String? {
            if case .text(let value) = self { return value }
            return nil
        }
    }

    var targets: [Target]
    var root = ""

    enum CodingKeys: String, CodingKey { case targets }

    /// Executable targets may be dependencies only to be built (the tests run `homeport`).
    var executables: Set<String> { Set(targets.filter { $0.type == "executable" }.map(\.name)) }

    /// The package's own modules (not tests, not the benchmark tools under Benchmarks/).
    var moduleNames: Set<String> { Set(targets.filter { $0.type != "test" && $0.path == nil }.map(\.name)) }

    /// Each module and the package's modules it declares.
    var internalGraph: [String: Set<String>] {
        let names = moduleNames
        return Dictionary(uniqueKeysWithValues: targets.filter { names.contains($0.name) }.map { ($0.name, $0.declared.intersection(names)) })
    }

    /// The graph in Package.swift's header comment: lines `//   A, B -> C, D   (others)`, where
    /// a line indented further continues the one before.
    static func headerGraph(_ manifest: String, modules: Set<String>) -> [String: Set<String>] {
        var graph: [String: Set<String>] = [:]
        var current: [String] = []
        let lines = manifest.split(separator: "\n").drop { !$0.hasPrefix("// Modules depend downward only") }.prefix { $0.hasPrefix("//") }
        for line in lines {
            let text = String(line.dropFirst(2)).replacing(/\([^)]*\)/, with: "")
            let indent = text.prefix { $0 == " " }.count
            guard indent >= 3 else { continue }
            let sides = text.split(separator: "->", maxSplits: 1).map { names(in: String($0), among: modules) }
            if indent == 3, let left = sides.first {
                current = left
                for name in left { graph[name, default: []].formUnion(sides.count > 1 ? sides[1] : []) }
            } else {
                for name in current { graph[name, default: []].formUnion(sides.flatMap { $0 }) }
            }
        }
        return graph
    }

    /// The graph in the README's module table: rows `| `A` | what it holds | `B`, `C` |`.
    static func readmeGraph(_ readme: String, modules: Set<String>) -> [String: Set<String>] {
        var graph: [String: Set<String>] = [:]
        let table = readme.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("| module | holds | uses |") }.prefix { $0.hasPrefix("|") }
        for line in table where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 5, let name = names(in: cells[1], among: modules).first else { continue }
            graph[name] = Set(names(in: cells[cells.count - 2], among: modules))
        }
        return graph
    }

    private static func names(in text: String, among modules: Set<String>) -> [String] {
        text.split { !$0.isLetter && !$0.isNumber && $0 != "_" }.map(String.init).filter(modules.contains)
    }

    /// Modules of the toolchain and the OS, which are not declared.
    static let platformModules: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML", "Dispatch", "Synchronization",
        "Glibc", "Musl", "Darwin", "Android", "WinSDK", "Testing", "XCTest", "os", "RegexBuilder", "Observation",
    ]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Reads Package.swift with SwiftPM itself. A scratch directory of its own keeps it off the
    /// lock that the running `swift test` holds on `.build`.
    static func load() async throws -> PackageGraph {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let result = try await Subprocess.run(
            .name("swift"),
            arguments: ["package", "--package-path", repository.path, "--scratch-path", scratch.path, "dump-package"],
            output: .string(limit: 16 << 20),
            error: .string(limit: 1 << 20))
        guard case .exited(0) = result.terminationStatus else {
            throw DumpFailed(description: "swift package dump-package: \(result.terminationStatus) \(result.standardError)")
        }
        var package = try JSONDecoder().decode(PackageGraph.self, from: Data(result.standardOutput.utf8))
        package.root = repository.path
        return package
    }

    struct DumpFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// The non-platform modules named by `import` lines in the target's Swift files
    /// (`@testable`, `@preconcurrency`, access levels and `import struct M.T` included).
    static func imports(of target: Target, in package: PackageGraph) throws -> Set<String> {
        let directory = target.path ?? (target.type == "test" ? "Tests/" : "Sources/") + target.name
        let base = URL(fileURLWithPath: package.root).appendingPathComponent(directory).path
        let excluded = target.exclude.map { base + "/" + $0 + "/" }
        let pattern = try Regex(#"^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#)
        var modules: Set<String> = []
        let files = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let path = base + "/" + file
            guard !excluded.contains(where: path.hasPrefix) else { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                guard let match = try pattern.prefixMatch(in: line), let name = match.output[1].substring else { continue }
                modules.insert(String(name))
            }
        }
        return modules.subtracting(platformModules)
    }
}
