import Foundation
import History
import InternetAddress
import StatusModel
import Testing

/// `homeport history ddns`: the real binary reading attempts the daemon's own write path
/// (`HistoryStore.save(_:attempt:)`) stored in a real history file.
@Suite struct DDNSHistoryCommandTests {
    @Test func listsAttemptsFilteredByHostAndSince() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let now = Date()
        let v4: IPAddress = "203.0.113.7"
        let v6: IPAddress = "2001:db8::7"
        do {
            let store = try HistoryStore(path: state + "/history.sqlite3")
            func save(_ host: String, _ address: IPAddress, _ outcome: DDNSOutcome, _ message: String?, ago: TimeInterval) async throws {
                let record = DDNSRecordState(key: "duckdns|\(host)|\(address.family.rawValue)", provider: "duckdns", hostname: host,
                                             family: address.family, configFingerprint: "f", lastAttemptAt: now - ago, lastOutcome: outcome)
                try await store.save(record, attempt: DDNSResult(time: now - ago, provider: "duckdns", hostname: host, address: address,
                                                                  outcome: outcome, message: message))
            }
            try await save("home.duckdns.org", v4, .updated, "OK", ago: 10 * 86400)
            try await save("home.duckdns.org", v4, .retryLater, "HTTP 503", ago: 3600)
            try await save("home.duckdns.org", v6, .updated, "OK", ago: 1800)
            try await save("nas.duckdns.org", v4, .authError, "KO", ago: 600)
        }

        let text = try await Homeport.run(["history", "ddns", "--state-dir", state])
        #expect(text.exitCode == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "a header and the three attempts of the last 7 days:\n\(text.stdout)")
        #expect(lines.first?.range(of: #"^TIME +HOST +FAMILY +PROVIDER +ADDRESS +OUTCOME +MESSAGE$"#, options: .regularExpression) != nil, "\(text.stdout)")
        #expect(lines[1].range(of: #"home\.duckdns\.org +ipv4 +duckdns +203\.0\.113\.7 +retry_later +HTTP 503$"#, options: .regularExpression) != nil, "\(lines[1])")
        #expect(lines[2].range(of: #"home\.duckdns\.org +ipv6 +duckdns +2001:db8::7 +updated +OK$"#, options: .regularExpression) != nil, "\(lines[2])")
        #expect(lines[3].range(of: #"nas\.duckdns\.org +ipv4 +duckdns +203\.0\.113\.7 +auth_error +KO$"#, options: .regularExpression) != nil, "\(lines[3])")

        let month = try await Homeport.run(["history", "ddns", "--since", "30d", "--host", "home.duckdns.org", "--json", "--state-dir", state])
        #expect(month.exitCode == 0, "\(month.stderr)")
        let decoded = try StatusJSON.decoder().decode([DDNSResult].self, from: Data(month.stdout.utf8))
        #expect(decoded.map(\.outcome) == [.updated, .retryLater, .updated])
        #expect(decoded.map(\.address) == [v4, v4, v6])
        #expect(decoded.allSatisfy { $0.hostname == "home.duckdns.org" })
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(month.stdout.utf8)) as? [[String: Any]])
        #expect(objects.first?["family"] as? String == "ipv4")
        #expect(objects.first?["outcome"] as? String == "updated")
        #expect(Set(objects.first?.keys.map { $0 } ?? []) == ["time", "provider", "hostname", "family", "address", "outcome", "message"])

        let nobody = try await Homeport.run(["history", "ddns", "--host", "other.example", "--state-dir", state])
        #expect(nobody.exitCode == 0)
        #expect(nobody.stdout.hasPrefix("No DDNS updates for other.example since "), "\(nobody.stdout)")
    }
}
