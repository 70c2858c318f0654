import DDNS
import DNSWire
import Foundation
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// RFC 2136 updates against a real BIND 9 `named` that each test starts and ends.
@Suite(.enabled(if: NamedServer.available, Comment(rawValue: ToolRequirement.named.skipMessage)))
struct RFC2136LiveTests {
    let updater = RFC2136Updater(exchange: DNSExchange(timeout: .seconds(2), attempts: 2))

    func key(_ named: NamedServer) throws -> TSIGKey {
        try TSIGKey(name: NamedServer.keyName, algorithm: "hmac-sha256", secret: named.secret)
    }

    @Test func updatesAAndAAAAVisibleToDigAndDNSLookup() async throws {
        try await NamedServer.with { named in
            let key = try key(named)

            let v4 = try await updater.update(zone: "home.test", hostname: "host.home.test", addresses: ["198.51.100.7", "198.51.100.8"],
                                              ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(v4.outcome == .updated, "\(v4)")
            #expect(v4.responseCode == "NOERROR")
            #expect(try await named.dig("host.home.test", "A") == ["198.51.100.7", "198.51.100.8"])

            // Zone found by SOA look-ups; the AAAA RRset is replaced, A left alone.
            let v6 = try await updater.update(zone: nil, hostname: "Host.Home.Test.", addresses: ["2001:db8::7"],
                                              ttl: 120, server: "127.0.0.1", port: named.port, key: key)
            #expect(v6.outcome == .updated, "\(v6)")
            #expect(v6.zone == "home.test.")
            #expect(try await named.dig("host.home.test", "AAAA") == ["2001:db8::7"])
            #expect(try await named.dig("host.home.test", "A") == ["198.51.100.7", "198.51.100.8"])

            // Replacing shrinks the RRset to exactly the new address.
            let again = try await updater.update(zone: "home.test", hostname: "host.home.test", addresses: ["203.0.113.1"],
                                                 ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(again.outcome == .updated)
            #expect(try await named.dig("host.home.test", "A") == ["203.0.113.1"])

            let server = DNSLookup.Server.server(try DNSServer("127.0.0.1", port: named.port))
            #expect(try await DNSLookup.addresses(of: "host.home.test", family: .ipv4, server: server) == ["203.0.113.1"])
            #expect(try await DNSLookup.addresses(of: "host.home.test", family: .ipv6, server: server) == ["2001:db8::7"])

            // Already holding the address: reported without sending an update (the serial stays).
            let serialBefore = try await named.dig("home.test", "SOA")
            let checking = RFC2136Updater(exchange: DNSExchange(timeout: .seconds(2), attempts: 2), checkCurrentFirst: true)
            let same = try await checking.update(zone: "home.test", hostname: "host.home.test", addresses: ["203.0.113.1"],
                                                 ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(same.outcome == .nochange, "\(same)")
            #expect(try await named.dig("home.test", "SOA") == serialBefore)
        }
    }

    @Test func wrongSecretIsAnAuthErrorNamingBADSIGAndChangesNothing() async throws {
        try await NamedServer.with { named in
            let wrong = try TSIGKey(name: NamedServer.keyName, algorithm: "hmac-sha256",
                                    secret: Data((0..<32).map { UInt8($0) }).base64EncodedString())
            let result = try await updater.update(zone: "home.test", hostname: "old.home.test", addresses: ["198.51.100.9"],
                                                  ttl: 60, server: "127.0.0.1", port: named.port, key: wrong)
            #expect(result.outcome == .authError, "\(result)")
            #expect(result.message.contains("BADSIG"))
            #expect(result.message.contains("NOTAUTH"))
            #expect(!result.message.contains(named.secret))
            #expect(try await named.dig("old.home.test", "A") == ["192.0.2.1"])
        }
    }

    @Test func unknownKeyNameIsAnAuthErrorNamingBADKEY() async throws {
        try await NamedServer.with { named in
            let stranger = try TSIGKey(name: "stranger-key", algorithm: "hmac-sha256", secret: named.secret)
            let result = try await updater.update(zone: "home.test", hostname: "old.home.test", addresses: ["198.51.100.9"],
                                                  ttl: 60, server: "127.0.0.1", port: named.port, key: stranger)
            #expect(result.outcome == .authError, "\(result)")
            #expect(result.message.contains("BADKEY"))
            #expect(try await named.dig("old.home.test", "A") == ["192.0.2.1"])
        }
    }

    @Test func unsignedUpdateIsRefusedAsAuthError() async throws {
        try await NamedServer.with { named in
            let result = try await updater.update(zone: "home.test", hostname: "old.home.test", addresses: ["198.51.100.9"],
                                                  ttl: 60, server: "127.0.0.1", port: named.port, key: nil)
            #expect(result.outcome == .authError, "\(result)\n\(named.logText)")
            #expect(result.responseCode == "REFUSED")
            #expect(try await named.dig("old.home.test", "A") == ["192.0.2.1"])
        }
    }

    @Test func aNameOutsideTheZoneIsAHostError() async throws {
        try await NamedServer.with { named in
            let key = try key(named)
            let notZone = try await updater.update(zone: "home.test", hostname: "host.elsewhere.test", addresses: ["198.51.100.9"],
                                                   ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(notZone.outcome == .hostError, "\(notZone)")
            #expect(notZone.responseCode == "NOTZONE")

            // Without a zone, the SOA walk finds none at this server.
            let noZone = try await updater.update(zone: nil, hostname: "host.elsewhere.test", addresses: ["198.51.100.9"],
                                                  ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(noZone.outcome == .hostError, "\(noZone)")

            // A zone this server does not serve.
            let notAuth = try await updater.update(zone: "elsewhere.test", hostname: "host.elsewhere.test", addresses: ["198.51.100.9"],
                                                   ttl: 60, server: "127.0.0.1", port: named.port, key: key)
            #expect(notAuth.outcome == .hostError, "\(notAuth)")
                #expect(notAuth.responseCode == "NOTAUTH")
        }
    }

    @Test func serverNotRunningIsRetryLater() async throws {
        // A port nobody listens on: let the kernel pick a free one, then close it.
        let probe = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        let quick = RFC2136Updater(exchange: DNSExchange(timeout: .milliseconds(300), attempts: 2))
        let key = try TSIGKey(name: NamedServer.keyName, secret: "c2VjcmV0")
        let started = ContinuousClock.now
        let udp = try await quick.update(zone: "home.test", hostname: "host.home.test", addresses: ["198.51.100.9"],
                                         ttl: 60, server: "127.0.0.1", port: port, key: key)
        #expect(udp.outcome == .retryLater, "\(udp)")
        #expect(udp.message.contains("after 2 attempt(s)"))
        // Not a timing target: only that the attempts, not some longer default, bounded the wait.
        #expect(ContinuousClock.now - started < .seconds(30))

        let tcp = RFC2136Updater(exchange: DNSExchange(timeout: .milliseconds(300), attempts: 2, mode: .tcpOnly))
        let refused = try await tcp.update(zone: "home.test", hostname: "host.home.test", addresses: ["198.51.100.9"],
                                           ttl: 60, server: "127.0.0.1", port: port, key: key)
        #expect(refused.outcome == .retryLater, "\(refused)")
    }

    @Test func updateOverTCPOnly() async throws {
        try await NamedServer.with { named in
            let tcp = RFC2136Updater(exchange: DNSExchange(timeout: .seconds(2), mode: .tcpOnly))
            let result = try await tcp.update(zone: "home.test", hostname: "tcp.home.test", addresses: ["2001:db8::42"],
                                              ttl: 60, server: "127.0.0.1", port: named.port, key: try key(named))
            #expect(result.outcome == .updated, "\(result)\n\(named.logText)")
            #expect(try await named.dig("tcp.home.test", "AAAA") == ["2001:db8::42"])
        }
    }

    @Test func aClockOffByMoreThanTheFudgeIsReportedAsClockSkew() async throws {
        try await NamedServer.with { named in
            var skewed = updater
            skewed.clock = { TSIG.currentTime() - 3600 }
            let result = try await skewed.update(zone: "home.test", hostname: "old.home.test", addresses: ["198.51.100.9"],
                                                 ttl: 60, server: "127.0.0.1", port: named.port, key: try key(named))
            #expect(result.outcome == .error, "\(result)")
            #expect(result.clockSkew)
            #expect(result.message.contains("BADTIME"))
            #expect(result.message.contains("clock skew"))
            #expect(try await named.dig("old.home.test", "A") == ["192.0.2.1"])
        }
    }

    @Test(arguments: NamedServer.otherKeys.sorted(by: <))
    func updatesWithSHA512AndSHA1Keys(key: (key: String, value: String)) async throws {
        try await NamedServer.with { named in
            let tsig = try TSIGKey(name: key.key, algorithm: key.value, secret: named.secret)
            let result = try await updater.update(zone: "home.test", hostname: "alg.home.test", addresses: ["198.51.100.77"],
                                                  ttl: 60, server: "127.0.0.1", port: named.port, key: tsig)
            #expect(result.outcome == .updated, "\(key.value): \(result)")
            #expect(try await named.dig("alg.home.test", "A") == ["198.51.100.77"])
        }
    }
}
