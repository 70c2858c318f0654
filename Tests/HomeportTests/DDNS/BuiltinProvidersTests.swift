@testable import DDNS
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped providers are compiled into the binary: a copy of it anywhere, with the source
/// tree out of reach, still has all of them; user files add to and replace them; and a name
/// that is not there says where homeport looked.
@Suite struct BuiltinProvidersTests {
    static let shippedCount = 85

    @Test("the compiled-in providers are exactly providers/*.toml (else run scripts/generate-builtin-providers.py)")
    func generatedFileIsCurrent() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: DDNSTestPaths.providers).filter { $0.hasSuffix(".toml") }.sorted()
        let onDisk = try names.map { (String($0.dropLast(5)), try String(contentsOfFile: DDNSTestPaths.providers + "/" + $0, encoding: .utf8)) }
        let compiled = BuiltinProviderFiles.all.map { ($0.name, $0.text) }
        #expect(compiled.map(\.0) == onDisk.map(\.0), "scripts/generate-builtin-providers.py was not run after adding or removing a provider file")
        for (name, text) in onDisk {
            let embedded = compiled.first { $0.0 == name }?.1
            #expect(embedded == text, "providers/\(name).toml changed; run scripts/generate-builtin-providers.py")
        }
    }

    @Test func theBuiltInSetLoadsWithoutErrors() {
        let catalog = ProviderCatalog.load([.builtIn])
        #expect(catalog.errors == [])
        #expect(catalog.names.count == Self.shippedCount)
        #expect(catalog.searchedDescription == "the \(Self.shippedCount) built-in providers")
    }

    /// The binary copied out of the build tree and run from elsewhere with the checkout's
    /// providers/ hidden by an empty mount (the old lookup used the compile-time source path).
    @Test(.enabled(if: ToolRequirement.unshare.shouldRun(), "needs root and unshare to hide the source tree"))
    func aCopiedBinaryListsEveryProviderWithTheSourceTreeHidden() async throws {
        try ToolRequirement.unshare.check()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let binary = dir.file("bin/homeport")
        try FileManager.default.createDirectory(atPath: dir.file("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestBinary.homeportResolved, toPath: binary)
        let script = #"mount -t tmpfs tmpfs "$1" && cd "$2" && shift 2 && exec "$@""#
        let run = { (arguments: [String]) in
            try await Programs.run("/usr/bin/unshare", ["--mount", "/bin/sh", "-c", script, "sh", DDNSTestPaths.providers, dir.path, binary] + arguments,
                                   environment: ["HOMEPORT_CONFIG": dir.file("homeport.toml"), "HOMEPORT_PROVIDERS_DIR": ""])
        }
        let list = try await run(["providers", "list"])
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout.contains("\(Self.shippedCount) providers, from the \(Self.shippedCount) built-in providers and \(dir.file("providers")) (no such directory)."),
                "\(list.stdout)")
        let json = try await run(["providers", "list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == Self.shippedCount)
        #expect(rows.allSatisfy { $0["source"] as? String == "built-in" && $0["file"] == nil })
        let show = try await run(["providers", "show", "duckdns"])
        #expect(show.stdout.contains("Source: built in (providers/duckdns.toml in homeport's source)"), "\(show.stdout)\(show.stderr)")
    }

    @Test func aUserFileAddsOrReplacesAndListSaysWhereEachCameFrom() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("providers"), withIntermediateDirectories: true)
        let duckdns = try String(contentsOfFile: DDNSTestPaths.providers + "/duckdns.toml", encoding: .utf8)
        let replacement = dir.write("providers/duckdns.toml", duckdns.replacingOccurrences(of: "display_name = \"Duck DNS\"", with: "display_name = \"My Duck\""))
        let added = dir.write("providers/mine.toml", "display_name = \"Mine\"\ndocumentation = \"https://x.example\"\nbased_on = \"_dyndns2\"\nbase_url = \"https://dyn.x.example\"\n")
        let config = dir.write("homeport.toml", "")
        let list = try await Homeport.run(["providers", "list", "--config", config])
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout.contains("\(Self.shippedCount + 1) providers, from the \(Self.shippedCount) built-in providers and \(dir.file("providers")) (2 providers)."), "\(list.stdout)")
        #expect(list.stdout.contains("duckdns: from \(replacement), replacing the built-in one"), "\(list.stdout)")
        #expect(list.stdout.contains("mine: from \(added)\n"), "\(list.stdout)")
        #expect(list.stdout.contains("My Duck"))
        let json = try await Homeport.run(["providers", "list", "--json", "--config", config])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first { $0["name"] as? String == "duckdns" }?["source"] as? String == replacement)
        #expect(rows.first { $0["name"] as? String == "cloudflare" }?["source"] as? String == "built-in")
    }

    @Test func anUnknownProviderSaysWhereHomeportLooked() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[[ddns]]\nprovider = \"duckdsn\"\nhostnames = [\"h.example.org\"]\ntoken = \"x\"\n")
        let looked = "looked in the \(Self.shippedCount) built-in providers and \(dir.file("providers")) (no such directory)"
        let show = try await Homeport.run(["providers", "show", "duckdsn", "--config", config])
        #expect(show.exitCode == 1)
        #expect(show.stderr.contains("no provider named 'duckdsn' (did you mean 'duckdns'?); \(looked); `homeport providers list` shows them all"), "\(show.stderr)")
        let check = try await Homeport.run(["config", "check", "--config", config])
        #expect(check.exitCode == 78)
        #expect(check.stderr.contains(looked) || check.stdout.contains(looked), "\(check.stdout)\(check.stderr)")
    }
}
