import Config
import DDNS
import Foundation
import Testing

@Suite struct ConfigFingerprintTests {
    func entry(password: SecretValue = .inline("hunter2-secret")) -> DDNSEntry {
        var entry = DDNSEntry(provider: "noip", hostnames: ["home.example.net"])
        entry.ttl = 300
        entry.settings = ["username": .plain("alice"), "password": .secret(password)]
        return entry
    }

    @Test func stableHexDigestThatHidesTheSecret() throws {
        let first = try ConfigFingerprint.digest(entry: entry(), hostname: "home.example.net", family: .ipv4, environment: [:])
        let again = try ConfigFingerprint.digest(entry: entry(), hostname: "HOME.example.net", family: .ipv4, environment: [:])
        #expect(first == again)
        #expect(first.count == 64)
        #expect(first.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(!first.contains("hunter2"))
        // Resolving through a reference gives the same digest as the inline value it resolves to.
        let viaEnvironment = try ConfigFingerprint.digest(entry: entry(password: .environment("HP_TEST_PASSWORD")), hostname: "home.example.net",
                                                          family: .ipv4, environment: ["HP_TEST_PASSWORD": "hunter2-secret"])
        #expect(viaEnvironment == first)
    }

    @Test func everyPartOfTheConfigurationCounts() throws {
        let base = try ConfigFingerprint.digest(entry: entry(), hostname: "home.example.net", family: .ipv4, environment: [:])
        var digests: Set<String> = [base]
        digests.insert(try ConfigFingerprint.digest(entry: entry(password: .inline("hunter3-secret")), hostname: "home.example.net",
                                                    family: .ipv4, environment: [:]))
        digests.insert(try ConfigFingerprint.digest(entry: entry(), hostname: "other.example.net", family: .ipv4, environment: [:]))
        digests.insert(try ConfigFingerprint.digest(entry: entry(), hostname: "home.example.net", family: .ipv6, environment: [:]))
        var ttl = entry()
        ttl.ttl = 60
        digests.insert(try ConfigFingerprint.digest(entry: ttl, hostname: "home.example.net", family: .ipv4, environment: [:]))
        var provider = entry()
        provider.provider = "dyndns"
        digests.insert(try ConfigFingerprint.digest(entry: provider, hostname: "home.example.net", family: .ipv4, environment: [:]))
        var suffix = entry()
        suffix.ipv6Suffix = "::1234"
        let v6 = try ConfigFingerprint.digest(entry: entry(), hostname: "home.example.net", family: .ipv6, environment: [:])
        digests.insert(try ConfigFingerprint.digest(entry: suffix, hostname: "home.example.net", family: .ipv6, environment: [:]))
        #expect(digests.count == 7)
        #expect(digests.contains(v6))
        // Field boundaries are unambiguous: moving a character from name to value changes the digest.
        let a = ConfigFingerprint.digest(entry: entry(), hostname: "h", family: .ipv4, resolvedSettings: ["ab": "c"])
        let b = ConfigFingerprint.digest(entry: entry(), hostname: "h", family: .ipv4, resolvedSettings: ["a": "bc"])
        #expect(a != b)
        // A key changes every digest.
        let keyed = ConfigFingerprint.digest(entry: entry(), hostname: "h", family: .ipv4, resolvedSettings: ["a": "bc"],
                                             key: Array(repeating: 7, count: 32))
        #expect(keyed != b && keyed.count == 64)
    }

    @Test func unresolvableSecretIsAnErrorNamingTheVariableNotAValue() {
        #expect(throws: SecretValue.ResolveError.self) {
            _ = try ConfigFingerprint.digest(entry: entry(password: .environment("HP_TEST_MISSING")), hostname: "home.example.net",
                                             family: .ipv4, environment: [:])
        }
    }
}
