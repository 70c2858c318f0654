import InternetAddress

/// Why a look-up found no addresses.
public enum DNSLookupError: Error, Equatable, Sendable, CustomStringConvertible {
    case noNameservers(path: String)
    case failed(name: String, server: String, responseCode: DNSResponseCode)
    case noZone(name: String)
    case cnameLoop(name: String)

    public var description: String {
        switch self {
        case .noNameservers(let path):
            return "no usable `nameserver` line in \(path)"
        case .failed(let name, let server, let code):
            return "DNS look-up of \(name) at \(server) failed: \(code)"
        case .noZone(let name):
            return "no zone (SOA) found for \(name)"
        case .cnameLoop(let name):
            return "CNAME chain for \(name) is too long or loops"
        }
    }
}

/// Looks up addresses, e.g. to check that a DDNS update is visible.
public struct DNSLookup: Sendable {
    /// Which server answers.
    public enum Server: Sendable, Hashable {
        /// The system resolver (resolv.conf).
        case system
        /// This server (an authoritative server answers without recursion).
        case server(DNSServer)
        /// The primary server of the zone holding the name (its SOA MNAME), found through
        /// `resolver` (nil: the system resolver); `port` is where to ask the primary.
        case authoritative(port: Int = 53, resolver: DNSServer? = nil)
    }

    public var exchange: DNSExchange
    public var resolvConfPath: String

    public init(exchange: DNSExchange = DNSExchange(), resolvConfPath: String = SystemResolverConfig.defaultPath) {
        self.exchange = exchange
        self.resolvConfPath = resolvConfPath
    }

    /// The addresses of `name` in `family`, in answer order. An existing name without
    /// such records gives `[]`; NXDOMAIN gives `[]` too (the name has no address).
    public static func addresses(of name: String, family: IPFamily, server: Server = .system,
                                 resolvConfPath: String = SystemResolverConfig.defaultPath) async throws -> [IPAddress] {
        try await DNSLookup(resolvConfPath: resolvConfPath).addresses(of: try DNSName(name), family: family, server: server)
    }

    public func addresses(of name: DNSName, family: IPFamily, server: Server = .system) async throws -> [IPAddress] {
        let servers = try await resolve(server, for: name)
        let message = try await ask(DNSQuestion(name: name, type: family.recordType), servers: servers, acceptNameError: true)
        var wanted = name
        var addresses: [IPAddress] = []
        // Follow a CNAME chain inside the answer.
        for _ in 0..<16 {
            let records = message.answers.filter { $0.name == wanted }
            if let cname = records.lazy.compactMap({ record -> DNSName? in
                if case .cname(let target) = record.data { return target } else { return nil }
            }).first, !records.contains(where: { $0.type == family.recordType }) {
                wanted = cname
                continue
            }
            addresses = records.filter { $0.type == family.recordType }.compactMap(\.data.address)
            return addresses
        }
        throw DNSLookupError.cnameLoop(name: name.description)
    }

    /// The zone holding `name`: the closest enclosing name with an SOA record.
    public func zone(of name: DNSName, server: Server = .system) async throws -> (zone: DNSName, soa: DNSSOA) {
        let servers = try await resolve(server, for: name)
        var candidate: DNSName? = name
        while let current = candidate, !current.isRoot {
            let message = try await ask(DNSQuestion(name: current, type: .soa), servers: servers, acceptNameError: true)
            for record in message.answers where record.name == current {
                if case .soa(let soa) = record.data { return (current, soa) }
            }
            // A negative answer names the zone in its authority SOA (RFC 2308): use it directly.
            for record in message.authorities {
                if case .soa(let soa) = record.data, current.isSubdomain(of: record.name) { return (record.name, soa) }
            }
            candidate = current.parent
        }
        throw DNSLookupError.noZone(name: name.description)
    }

    // MARK: Internals

    private func resolve(_ server: Server, for name: DNSName) async throws -> [DNSServer] {
        switch server {
        case .server(let server):
            return [server]
        case .system:
            let config = SystemResolverConfig.load(path: resolvConfPath)
            guard !config.nameservers.isEmpty else { throw DNSLookupError.noNameservers(path: resolvConfPath) }
            return config.nameservers
        case .authoritative(let port, let resolver):
            let via: Server = resolver.map { .server($0) } ?? .system
            let primary = try await zone(of: name, server: via).soa.primaryServer
            var found: [DNSServer] = []
            for family in [IPFamily.ipv4, .ipv6] {
                let addresses = (try? await addresses(of: primary, family: family, server: via)) ?? []
                found += addresses.map { DNSServer(address: $0, port: port) }
            }
            guard !found.isEmpty else { throw DNSLookupError.noZone(name: name.description) }
            return found
        }
    }

    /// Asks each server in turn until one answers with NOERROR (or NXDOMAIN when accepted).
    private func ask(_ question: DNSQuestion, servers: [DNSServer], acceptNameError: Bool) async throws -> DNSMessage {
        var lastError: (any Error)?
        for server in servers {
            do {
                let result = try await exchange.send(.query(name: question.name, type: question.type), to: server)
                let code = result.message.responseCode
                if code == .noError || (acceptNameError && code == .nameError) { return result.message }
                lastError = DNSLookupError.failed(name: question.name.description, server: server.description, responseCode: code)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? DNSLookupError.noNameservers(path: resolvConfPath)
    }
}
