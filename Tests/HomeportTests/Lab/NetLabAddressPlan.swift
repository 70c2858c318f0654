/// Where every address of one lab sits. Each lab has its own namespaces, so labs running at the
/// same time may reuse addresses; the LAN and carrier subnets are random anyway, so a test
/// cannot come to depend on one fixed layout.
///
/// The "internet" uses documentation ranges only. Its echo services sit on its loopback at
/// .10; links to the internet use the upper halves (…128/25), so a WAN subnet never covers an
/// echo address.
struct NetLabAddressPlan: Sendable {
    struct Interface: Sendable, Equatable {
        var address: String
        var prefixLength: Int
        var gateway: String
    }

    static let echoAddresses = ["203.0.113.10", "198.51.100.10"]
    static let echoURLs = echoAddresses.map { "http://\($0)/" }
    /// The STUN server's primary and alternate address (RFC 3489 CHANGE-REQUEST answers come
    /// from the other one), on the internet's loopback like the echo services.
    static let stunAddresses = ["203.0.113.20", "203.0.113.21"]
    /// The internet's end of its downstream link, one per documentation range.
    static let internetGateway203 = "203.0.113.129"
    static let internetGateway198 = "198.51.100.129"

    let upstream: NetLab.Upstream
    let lanOctet: Int
    /// The router's WAN interface when the lab starts.
    let routerWAN: Interface
    /// The upstream NAT's outside interface (towards the internet), when there is one.
    let upstreamOutside: Interface?
    /// The upstream NAT's inside address and prefix (the router's gateway), when there is one.
    let upstreamInside: Interface?

    var lanSubnet: String { "192.168.\(lanOctet).0/24" }
    var routerLAN: String { "192.168.\(lanOctet).1" }
    var home: String { "192.168.\(lanOctet).2" }

    /// Addresses on the internet's downstream link.
    var internetLinkAddresses: [String] {
        switch upstream {
        case .none: ["\(Self.internetGateway203)/25", "\(Self.internetGateway198)/25"]
        default: ["\(Self.internetGateway203)/25"]
        }
    }

    static func random(for upstream: NetLab.Upstream) -> NetLabAddressPlan {
        let lanOctet = Int.random(in: 2...250)
        let outside = Interface(address: "203.0.113.\(Int.random(in: 130...250))", prefixLength: 25, gateway: internetGateway203)
        switch upstream {
        case .none:
            return NetLabAddressPlan(upstream: upstream, lanOctet: lanOctet, routerWAN: outside, upstreamOutside: nil, upstreamInside: nil)
        case .carrierNAT, .carrierNATEndpointIndependent:
            let carrier = "100.\(Int.random(in: 64...127)).\(Int.random(in: 0...255))"
            return NetLabAddressPlan(upstream: upstream, lanOctet: lanOctet,
                                     routerWAN: Interface(address: "\(carrier).\(Int.random(in: 2...254))", prefixLength: 24, gateway: "\(carrier).1"),
                                     upstreamOutside: outside,
                                     upstreamInside: Interface(address: "\(carrier).1", prefixLength: 24, gateway: ""))
        case .upstreamRouter:
            let inner = "10.\(Int.random(in: 0...255)).\(Int.random(in: 0...255))"
            return NetLabAddressPlan(upstream: upstream, lanOctet: lanOctet,
                                     routerWAN: Interface(address: "\(inner).\(Int.random(in: 2...254))", prefixLength: 24, gateway: "\(inner).1"),
                                     upstreamOutside: outside,
                                     upstreamInside: Interface(address: "\(inner).1", prefixLength: 24, gateway: ""))
        case .publicAddressNAT:
            return NetLabAddressPlan(upstream: upstream, lanOctet: lanOctet,
                                     routerWAN: Interface(address: "198.51.100.\(Int.random(in: 130...250))", prefixLength: 25, gateway: internetGateway198),
                                     upstreamOutside: outside,
                                     upstreamInside: Interface(address: internetGateway198, prefixLength: 25, gateway: ""))
        }
    }

    /// The prefix and gateway a new router WAN address gets: on a directly connected router,
    /// either documentation range's upper half; behind an upstream NAT, its inside subnet.
    func wanInterface(for address: String) throws -> Interface {
        let octets = address.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4, octets.allSatisfy({ (0...255).contains($0) }) else {
            throw TestFailure("lab: '\(address)' is not an IPv4 address")
        }
        switch upstream {
        case .none:
            guard (130...254).contains(octets[3]) else {
                throw TestFailure("lab: a public WAN address must be 203.0.113.130-254 or 198.51.100.130-254, not \(address)")
            }
            if address.hasPrefix("203.0.113.") { return Interface(address: address, prefixLength: 25, gateway: Self.internetGateway203) }
            if address.hasPrefix("198.51.100.") { return Interface(address: address, prefixLength: 25, gateway: Self.internetGateway198) }
            throw TestFailure("lab: a public WAN address must be in 203.0.113.128/25 or 198.51.100.128/25, not \(address)")
        default:
            var changed = routerWAN
            changed.address = address
            return changed
        }
    }

    /// A WAN address the router does not have yet: on a public WAN, one from the other
    /// documentation range, so a stale value and the new one cannot be confused.
    func anotherWANAddress(than current: String) -> String {
        switch upstream {
        case .none:
            let range = current.hasPrefix("203.0.113.") ? "198.51.100." : "203.0.113."
            return range + String(Int.random(in: 130...250))
        default:
            let prefix = current.split(separator: ".").dropLast().joined(separator: ".")
            var host = Int.random(in: 2...254)
            while "\(prefix).\(host)" == current || "\(prefix).\(host)" == upstreamInside?.address { host = Int.random(in: 2...254) }
            return "\(prefix).\(host)"
        }
    }
}
