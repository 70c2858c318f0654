import Foundation
import Testing

/// Provider files are TOML too and pass through the same limits and duration parser as the
/// config file: values that would overflow, and a 300 000-part header, are lint errors with
/// file:line, never a crash of `homeport providers lint`.
@Suite(.serialized) struct ProviderFileLimitTests {
    static let head = """
        display_name = "My host"
        documentation = "https://example.com/api"
        families = ["ipv4"]
        base_url = "https://api.example.com"

        """

    @Test(arguments: [
        ("min_interval = \"999999999999999999d\"\n", 5, "min_interval: is the string \"999999999999999999d\", not a duration from 0s to 365d"),
        ("default_ttl = 99999999999\n", 5, "default_ttl: must be a whole number of seconds from 1 to 2147483647"),
        ("[" + Array(repeating: "a", count: 300_000).joined(separator: ".") + "]\n", 5, "more than 32 dotted parts"),
    ])
    func lintNamesTheLineInsteadOfCrashing(_ line: String, _ number: Int, _ says: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("myhost.toml", Self.head + line + "\n[[step]]\nname = \"update\"\npath = \"/update\"\nquery = { ip = \"{ipv4}\" }\n")
        let lint = try await Homeport.run(["providers", "lint", file])
        #expect(lint.exitCode == 1, "status \(lint.status): \(lint.stdout.prefix(300))\(lint.stderr.prefix(300))")
        #expect(lint.stdout.contains("\(file):\(number):"), "\(lint.stdout.prefix(500))")
        #expect(lint.stdout.contains(says), "\(lint.stdout.prefix(500))")
    }
}
