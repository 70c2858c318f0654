import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InternetAddress

/// The default IPv4 gateway and the local address and interface this host reaches it from.
public struct GatewayInfo: Sendable, Codable, Hashable {
    public var gateway: IPAddress
    public var localAddress: IPAddress
    public var interfaceName: String?

    public init(gateway: IPAddress, localAddress: IPAddress, interfaceName: String?) {
        self.gateway = gateway
        self.localAddress = localAddress
        self.interfaceName = interfaceName
    }
}

/// Finds the router to talk to.
public enum GatewayDiscovery {
    /// One IPv4 default route from /proc/net/route.
    struct LinuxRoute: Equatable {
        var interface: String
        var gateway: IPAddress
        var metric: Int
    }

    /// Finds the gateway, or uses `override` (config `[router] gateway = "..."`) when given.
    /// The local address is the one the kernel picks to reach the gateway.
    public static func discover(override: String? = nil) throws -> GatewayInfo {
        let gateway: IPAddress
        var interfaceName: String?
        if let override, !override.isEmpty {
            guard let parsed = IPAddress(override, family: .ipv4) else {
                throw PortMappingError.noGateway("[router] gateway = \"\(override.prefix(64))\" is not an IPv4 address such as \"192.168.1.1\"")
            }
            gateway = parsed
        } else {
            let found = try defaultGateway()
            gateway = found.gateway
            interfaceName = found.interface
        }
        let local = try sourceAddress(toward: gateway)
        if interfaceName == nil { interfaceName = interface(holding: local) }
        return GatewayInfo(gateway: gateway, localAddress: local, interfaceName: interfaceName)
    }

    /// The default route's gateway and interface.
    static func defaultGateway() throws -> (gateway: IPAddress, interface: String?) {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else {
            throw PortMappingError.noGateway("cannot read /proc/net/route")
        }
        guard let best = parseLinuxRoutes(text).min(by: { $0.metric < $1.metric }) else {
            throw PortMappingError.noGateway("/proc/net/route has no IPv4 default route with a gateway")
        }
        return (best.gateway, best.interface)
        #elseif os(macOS)
        return try darwinDefaultGateway()
        #else
        throw PortMappingError.noGateway("gateway discovery is not implemented on this system; set [router] gateway")
        #endif
    }

    /// Default routes (destination and mask 0, flags UP|GATEWAY) from /proc/net/route text. Fields
    /// are hex in the kernel's byte order (little-endian on every Linux this runs on).
    static func parseLinuxRoutes(_ text: String) -> [LinuxRoute] {
        var routes: [LinuxRoute] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8,
                  let destination = UInt32(fields[1], radix: 16),
                  let gatewayRaw = UInt32(fields[2], radix: 16),
                  let flags = UInt32(fields[3], radix: 16),
                  let metric = Int(fields[6]),
                  let mask = UInt32(fields[7], radix: 16) else { continue }
            let up: UInt32 = 0x1, hasGateway: UInt32 = 0x2
            guard destination == 0, mask == 0, flags & up != 0, flags & hasGateway != 0, gatewayRaw != 0 else { continue }
            let gateway = IPAddress(ipv4HostOrder: UInt32(littleEndian: gatewayRaw).byteSwapped)
            routes.append(LinuxRoute(interface: String(fields[0]), gateway: gateway, metric: metric))
        }
        return routes
    }

    /// The source address the kernel would use toward `destination` (a connected UDP socket sends nothing).
    static func sourceAddress(toward destination: IPAddress) throws -> IPAddress {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw PortMappingError.noGateway("cannot open a UDP socket: errno \(errno)") }
        defer { close(fd) }
        var remote = sockaddr_in()
        #if canImport(Darwin)
        remote.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = UInt16(NATPMPMessage.serverPort).bigEndian
        guard let destinationBits = destination.ipv4HostOrder else {
            throw PortMappingError.noGateway("the gateway \(destination) is not an IPv4 address")
        }
        remote.sin_addr.s_addr = destinationBits.bigEndian
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            throw PortMappingError.noGateway("no route to the gateway \(destination): errno \(errno)")
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw PortMappingError.noGateway("getsockname failed: errno \(errno)") }
        return IPAddress(ipv4HostOrder: UInt32(bigEndian: local.sin_addr.s_addr))
    }

    /// The interface that holds `address`, from getifaddrs.
    static func interface(holding address: IPAddress) -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr, sa.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            let found = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                IPAddress(ipv4HostOrder: UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
            }
            if found == address { return String(cString: entry.pointee.ifa_name) }
        }
        return nil
    }

    #if os(macOS)
    /// Reads the routing table with sysctl(NET_RT_FLAGS, RTF_GATEWAY) and returns the IPv4 default route.
    static func darwinDefaultGateway() throws -> (gateway: IPAddress, interface: String?) {
        var mib: [Int32] = [CTL_NET, PF_ROUTE, 0, AF_INET, NET_RT_FLAGS, RTF_GATEWAY]
        var size = 0
        guard sysctl(&mib, UInt32(mib.count), nil, &size, nil, 0) == 0, size > 0 else {
            throw PortMappingError.noGateway("sysctl route dump failed: errno \(errno)")
        }
        var buffer = [UInt8](repeating: 0, count: size)
        guard sysctl(&mib, UInt32(mib.count), &buffer, &size, nil, 0) == 0 else {
            throw PortMappingError.noGateway("sysctl route dump failed: errno \(errno)")
        }
        let headerSize = MemoryLayout<rt_msghdr>.size
        var offset = 0
        while offset + headerSize <= size {
            let header = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: rt_msghdr.self) }
            let length = Int(header.rtm_msglen)
            guard length > 0, offset + length <= size else { break }
            defer { offset += length }
            var cursor = offset + headerSize
            var destination: IPAddress?
            var gateway: IPAddress?
            var mask: IPAddress?
            for bit in 0..<Int(RTAX_MAX) where header.rtm_addrs & (1 << bit) != 0 {
                guard cursor + 2 <= offset + length else { break }
                let saLength = Int(buffer[cursor])
                let family = Int32(buffer[cursor + 1])
                var address: IPAddress?
                if family == AF_INET, saLength >= 8, cursor + 8 <= offset + length {
                    address = IPAddress(bytes: Array(buffer[(cursor + 4)..<(cursor + 8)]))
                } else if bit == Int(RTAX_NETMASK), saLength == 0 {
                    address = .ipv4Unspecified
                }
                switch bit {
                case Int(RTAX_DST): destination = address
                case Int(RTAX_GATEWAY): gateway = address
                case Int(RTAX_NETMASK): mask = address ?? .ipv4Unspecified
                default: break
                }
                // Darwin pads each sockaddr to a multiple of 4 bytes; an empty one still takes 4.
                cursor += saLength > 0 ? (1 + ((saLength - 1) | 3)) : 4
            }
            guard destination == .ipv4Unspecified, mask == nil || mask == .ipv4Unspecified, let gateway, gateway != .ipv4Unspecified,
                  header.rtm_flags & RTF_GATEWAY != 0 else { continue }
            var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
            let interface = if_indextoname(UInt32(header.rtm_index), &name) != nil ? String(cString: name) : nil
            return (gateway, interface)
        }
        throw PortMappingError.noGateway("the routing table has no IPv4 default route")
    }
    #endif
}
