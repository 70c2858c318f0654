import DNSWire
import History
import InternetAddress

/// Publishes a host's addresses with a TSIG-signed RFC 2136 UPDATE (what `nsupdate` does for
/// ddclient): one message that deletes the A (or AAAA) RRset and adds the new addresses, applied
/// atomically by the server. See docs/ddns-policy.md#rfc-2136-results.
public struct RFC2136Updater: Sendable {
    public var exchange: DNSExchange
    /// Ask the server for the current records first and report `nochange` without updating when
    /// they already hold exactly the addresses.
    public var checkCurrentFirst: Bool
    /// Where a server given as a host name is resolved.
    public var resolvConfPath: String
    /// Our clock for TSIG (seconds since the epoch); replaceable to test clock skew.
    public var clock: @Sendable () -> UInt64 = { TSIG.currentTime() }

    public init(exchange: DNSExchange = DNSExchange(timeout: .seconds(3), attempts: 3), checkCurrentFirst: Bool = false,
                resolvConfPath: String = SystemResolverConfig.defaultPath) {
        self.exchange = exchange
        self.checkCurrentFirst = checkCurrentFirst
        self.resolvConfPath = resolvConfPath
    }

    /// - Parameters:
    ///   - zone: the zone apex; `nil` to find it by SOA look-ups at `server`, walking up the labels.
    ///   - hostname: the name to update.
    ///   - addresses: the new addresses, all IPv4 or all IPv6.
    ///   - server: IP address or host name of the primary server; `port` its port.
    ///   - key: the TSIG key (`nil` sends the update unsigned).
    /// Throws only `CancellationError`; everything else is a result.
    public func update(zone: String?, hostname: String, addresses: [IPAddress], ttl: Int, server: String, port: Int = 53,
                       key: TSIGKey?) async throws -> RFC2136Result {
        // Inputs.
        let name: DNSName
        do { name = try DNSName(hostname) } catch {
            return RFC2136Result(outcome: .hostError, message: "hostname: \(error)")
        }
        guard !name.isRoot else { return RFC2136Result(outcome: .hostError, message: "hostname is empty") }
        guard let family = addresses.first?.family else {
            return RFC2136Result(outcome: .error, message: "no address to publish for \(name)")
        }
        guard addresses.allSatisfy({ $0.family == family }) else {
            return RFC2136Result(outcome: .error, message: "addresses for one update must be all IPv4 or all IPv6")
        }
        guard let recordTTL = UInt32(exactly: ttl), ttl <= Int(Int32.max) else {
            return RFC2136Result(outcome: .error, message: "ttl \(ttl) is out of range (0–\(Int32.max))")
        }

        // Server.
        let dnsServer: DNSServer
        switch await resolveServer(server, port: port) {
        case .success(let resolved): dnsServer = resolved
        case .failure(let result): return result
        }

        // Zone.
        let zoneName: DNSName
        if let zone {
            do { zoneName = try DNSName(zone) } catch {
                return RFC2136Result(outcome: .hostError, message: "zone: \(error)")
            }
        } else {
            do {
                zoneName = try await DNSLookup(exchange: exchange).zone(of: name, server: .server(dnsServer)).zone
            } catch let error as DNSExchangeError {
                try Task.checkCancellation()
                return RFC2136Result(outcome: .retryLater, message: "finding the zone of \(name): \(error)")
            } catch {
                try Task.checkCancellation()
                return RFC2136Result(outcome: .hostError, message: "no zone for \(name) at \(dnsServer): \(error); set `zone`")
            }
        }
        let zoneText = zoneName.description

        if checkCurrentFirst {
            let lookup = DNSLookup(exchange: exchange)
            if let current = try? await lookup.addresses(of: name, family: family, server: .server(dnsServer)),
               Set(current) == Set(addresses) {
                return RFC2136Result(outcome: .nochange, message: "\(name) \(family.recordType) already holds \(addresses.map(\.description).joined(separator: ", "))",
                                     zone: zoneText)
            }
            try Task.checkCancellation()
        }

        // The update: delete the RRset, add the new records.
        var update = DNSUpdate(zone: zoneName)
        do { try update.replaceAddresses(of: name, with: addresses, ttl: recordTTL) } catch {
            return RFC2136Result(outcome: .error, message: "\(error)", zone: zoneText)
        }
        let question = DNSQuestion(name: zoneName, type: .soa)
        let answer: DNSMessage
        do {
            if let key {
                let signed = try TSIG.sign(update.message, with: key, timeSigned: clock())
                let result = try await exchange.send(signed, question: question, to: dnsServer)
                answer = try TSIG.verifyResponse(result.bytes, to: signed, now: clock())
            } else {
                answer = try await exchange.send(update.message, to: dnsServer).message
            }
        } catch let error as TSIGError {
            return Self.result(for: error, zone: zoneText, server: dnsServer)
        } catch let error as DNSExchangeError {
            try Task.checkCancellation()
            switch error {
            case .timedOut, .connectionFailed, .sendFailed:
                return RFC2136Result(outcome: .retryLater, message: "\(error)", zone: zoneText)
            default:
                return RFC2136Result(outcome: .error, message: "\(error)", zone: zoneText)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            return RFC2136Result(outcome: .error, message: "update of \(name) at \(dnsServer): \(error)", zone: zoneText)
        }
        return Self.result(for: answer.responseCode, name: name, family: family, addresses: addresses, zone: zoneText, server: dnsServer)
    }

    // MARK: Outcome mapping (docs/ddns-policy.md#rfc-2136-results)

    static func result(for code: DNSResponseCode, name: DNSName, family: IPFamily, addresses: [IPAddress],
                       zone: String, server: DNSServer) -> RFC2136Result {
        let said = "server \(server) answered \(code)"
        let outcome: DDNSOutcome
        let explanation: String
        switch code {
        case .noError:
            return RFC2136Result(outcome: .updated, message: "\(name) \(family.recordType) set to \(addresses.map(\.description).joined(separator: ", ")) in zone \(zone)",
                                 zone: zone, responseCode: code.description)
        case .refused:
            (outcome, explanation) = (.authError, "the server's policy (allow-update/update-policy) does not let this key change \(name) \(family.recordType), or updates are off")
        case .notAuth:
            (outcome, explanation) = (.hostError, "the server is not authoritative for zone \(zone)")
        case .notZone:
            (outcome, explanation) = (.hostError, "\(name) is not inside zone \(zone)")
        case .notImplemented:
            (outcome, explanation) = (.hostError, "the server does not support dynamic updates")
        case .nameError:
            (outcome, explanation) = (.hostError, "a name in the update does not exist (prerequisite failed)")
        case .serverFailure:
            (outcome, explanation) = (.retryLater, "server-side failure")
        case .formatError:
            (outcome, explanation) = (.error, "the server could not parse the update")
        default:
            (outcome, explanation) = (.error, "unexpected answer")
        }
        return RFC2136Result(outcome: outcome, message: "\(said): \(explanation)", zone: zone, responseCode: code.description)
    }

    static func result(for error: TSIGError, zone: String, server: DNSServer) -> RFC2136Result {
        switch error {
        case .serverRejected(let code, let header, _):
            switch code {
            case .badSignature, .badKey:
                return RFC2136Result(outcome: .authError, message: "server \(server): \(error)", zone: zone,
                                     responseCode: "\(header)/\(code)")
            case .badTime:
                return RFC2136Result(outcome: .error, message: "server \(server): \(error)", zone: zone,
                                     responseCode: "\(header)/\(code)", clockSkew: true)
            default:
                return RFC2136Result(outcome: .error, message: "server \(server): \(error)", zone: zone,
                                     responseCode: "\(header)/\(code)")
            }
        case .timeOutsideFudge:
            return RFC2136Result(outcome: .error, message: "server \(server): \(error)", zone: zone, clockSkew: true)
        case .unsigned(let code):
            return RFC2136Result(outcome: .error, message: "server \(server): \(error)", zone: zone, responseCode: code.description)
        case .badSignature, .keyMismatch:
            return RFC2136Result(outcome: .error, message: "server \(server): \(error) (possible spoofing; the answer is not trusted)", zone: zone)
        }
    }

    private enum Resolution { case success(DNSServer), failure(RFC2136Result) }

    /// An IP literal is used as it is; a host name is looked up (IPv4, then IPv6) through the
    /// system resolver.
    private func resolveServer(_ server: String, port: Int) async -> Resolution {
        guard (1...65535).contains(port) else {
            return .failure(RFC2136Result(outcome: .error, message: "server port \(port) must be 1–65535"))
        }
        var host = server
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let address = IPAddress(host) { return .success(DNSServer(address: address, port: port)) }
        let name: DNSName
        do { name = try DNSName(host) } catch {
            return .failure(RFC2136Result(outcome: .error, message: "server '\(server)' is neither an IP address nor a host name"))
        }
        let lookup = DNSLookup(exchange: exchange, resolvConfPath: resolvConfPath)
        var lastError = ""
        for family in [IPFamily.ipv4, .ipv6] {
            do {
                if let address = try await lookup.addresses(of: name, family: family).first {
                    return .success(DNSServer(address: address, port: port))
                }
            } catch {
                lastError = ": \(error)"
            }
        }
        return .failure(RFC2136Result(outcome: .retryLater, message: "server name \(server) has no address\(lastError)"))
    }
}
