import Foundation
import Testing

/// A DDNS server name this machine cannot resolve is our failure, not the provider asking to
/// wait: `homeport update` (the real binary) runs in a network namespace with only a down
/// loopback, so its resolver reaches nobody and nothing leaves the test.
@Suite struct DDNSResolverFailureTests {
    @Test func aLocalResolverFailureIsNotRetryLater() async throws {
        let setup = try await DDNSUpdateCommandTests.Setup(serverURL: "http://ddns-server.invalid")
        defer { setup.dir.remove() }
        func update() async throws -> [String: Any] {
            let output = try await Programs.run("/usr/bin/unshare", ["--net", "/usr/bin/env", "HP_TEST_DUCK_TOKEN=\(DDNSUpdateCommandTests.token)",
                                                                     TestBinary.homeport, "update", "--config", setup.config, "--json", "--ip4", "203.0.113.7"])
            let reports = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            return try #require(reports?.first, "stdout: \(output.stdout)\nstderr: \(output.stderr)")
        }
        let first = try await update()
        #expect(first["outcome"] as? String == "error", "\(first)")
        let message = first["message"] as? String ?? ""
        #expect(message.contains("could not resolve ddns-server.invalid (a local failure; the provider was not reached)"), "\(message)")

        // The back-off that follows is ours, not one the provider demanded.
        let second = try await update()
        #expect(second["skip_code"] as? String == "backing_off", "\(second)")
        let reason = second["reason"] as? String ?? ""
        #expect(reason.contains("backing off after error"), "\(reason)")
        #expect(!reason.contains("the provider demands"), "\(reason)")
        #expect(setup.server.requests.isEmpty)
        await setup.server.stop()
    }
}
