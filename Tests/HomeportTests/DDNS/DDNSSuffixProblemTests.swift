import Daemon
import Foundation
import Testing

/// An `ipv6_suffix` that does not fit the current prefix: the AAAA record cannot be sent, and
/// `homeport update` says so and fails instead of reporting that nothing was to be done.
@Suite struct DDNSSuffixProblemTests {
    @Test func aSuffixThatReachesIntoThePrefixIsReportedInTheRound() async throws {
        let setup = try await DDNSUpdateCommandTests.Setup(extra: """
            ipv4 = false
            ipv6 = true
            ipv6_prefix_length = 96
            ipv6_suffix = "::1:2:3:4"
            """)
        defer { setup.dir.remove() }
        let server = setup.server
        let output = try await Homeport.run(["update", "--config", setup.config, "--ip6", "2001:db8:1:2::7"],
                                            environment: ["HP_TEST_DUCK_TOKEN": DDNSUpdateCommandTests.token])
        #expect(output.exitCode == 1, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("ipv6_suffix \"::1:2:3:4\" reaches into the /96 prefix"), "\(output.stderr)")
        #expect(server.requests.isEmpty)
        await server.stop()
    }
}
