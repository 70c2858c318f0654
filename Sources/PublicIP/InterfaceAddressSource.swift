import Foundation
import InternetAddress
import NIOCore
import NIOPosix

/// An address configured on a local interface, with the IPv6 flags that matter for choosing one.
public struct InterfaceAddress: Sendable, Equatable {
    public var interface: String
    public var address: IPAddress
    /// RFC 4941 privacy address: changes daily, useless as a stable public name.
    public var isTemporary: Bool
    /// Preferred lifetime over, or still in duplicate address detection: not to be published.
    public var isDeprecated: Bool
    public var isTentative: Bool

    public init(interface: String, address: IPAddress, isTemporary: Bool = false, isDeprecated: Bool = false, isTentative: Bool = false) {
        self.interface = interface
        self.address = address
        self.isTemporary = isTemporary
        self.isDeprecated = isDeprecated
        self.isTentative = isTentative
    }
}

/// A public address bound directly to this host: a global IPv6 address (not temporary, deprecated
/// or tentative), or a public IPv4 address when the host itself is on the internet.
public struct InterfaceAddressSource: PublicIPSource {
    public let family: IPFamily
    public let readAddresses: @Sendable () -> [InterfaceAddress]
    public var name: String { "interfaces" }
    public var kind: SourceKind { .interface }
    public var request: String { "the addresses of this host's interfaces" }

    public init(family: IPFamily, readAddresses: @escaping @Sendable () -> [InterfaceAddress] = InterfaceAddressSource.systemAddresses) {
        self.family = family
        self.readAddresses = readAddresses
    }

    public func lookup() async -> SourceAnswer {
        let start = ContinuousClock.now
        let candidates = Self.candidates(readAddresses(), family: family)
        let latency = ContinuousClock.now - start
        guard let chosen = candidates.first else {
            return .failure(.noAddress("no public \(family) address on any interface"), latency: latency)
        }
        return SourceAnswer(address: chosen.address, latency: latency)
    }

    /// Usable addresses of `family`, stable ones in a deterministic order (interface, then address).
    static func candidates(_ addresses: [InterfaceAddress], family: IPFamily) -> [InterfaceAddress] {
        addresses
            .filter { $0.address.family == family && $0.address.isPublic && !$0.isTemporary && !$0.isDeprecated && !$0.isTentative }
            .sorted { ($0.interface, $0.address) < ($1.interface, $1.address) }
    }

    /// IPv4 from the system's interface list; IPv6 from /proc/net/if_inet6 on Linux (it carries
    /// the temporary/deprecated flags getifaddrs does not), else from the interface list.
    public static let systemAddresses: @Sendable () -> [InterfaceAddress] = {
        var result: [InterfaceAddress] = []
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            guard let socketAddress = device.address, let text = socketAddress.ipAddress, let address = IPAddress(text) else { continue }
            #if os(Linux)
            if address.family == .ipv6 { continue }
            #endif
            result.append(InterfaceAddress(interface: device.name, address: address))
        }
        #if os(Linux)
        if let table = try? String(contentsOfFile: "/proc/net/if_inet6", encoding: .utf8) {
            result += parseIfInet6(table)
        }
        #endif
        return result
    }

    /// Parses /proc/net/if_inet6 lines: `address(32 hex) ifindex prefixlen scope flags name`, all hex.
    static func parseIfInet6(_ table: String) -> [InterfaceAddress] {
        // include/uapi/linux/if_addr.h
        let temporary: UInt32 = 0x01, deprecated: UInt32 = 0x20, tentative: UInt32 = 0x40, dadFailed: UInt32 = 0x08
        var result: [InterfaceAddress] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[0].count == 32, let flags = UInt32(fields[4], radix: 16) else { continue }
            var bytes: [UInt8] = []
            var index = fields[0].startIndex
            while index < fields[0].endIndex {
                let next = fields[0].index(index, offsetBy: 2)
                guard let byte = UInt8(fields[0][index..<next], radix: 16) else { break }
                bytes.append(byte)
                index = next
            }
            guard let address = IPAddress(bytes: bytes), address.family == .ipv6 else { continue }
            result.append(InterfaceAddress(interface: String(fields[5]), address: address,
                                           isTemporary: flags & temporary != 0,
                                           isDeprecated: flags & (deprecated | dadFailed) != 0,
                                           isTentative: flags & tentative != 0))
        }
        return result
    }
}
