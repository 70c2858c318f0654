import Foundation
import NIOCore

/// hbbr's loopback console commands, served on the state directory's `relay.sock` instead so
/// local clients can use the relay port normally. Each answer is one JSON document; changes
/// are not written back to the list files (as with hbbr).
extension RelayServer {
    static let adminCommands = ["status", "usage", "blacklist [ip]", "blacklist-add ip|ip…", "blacklist-remove ip|ip…|all",
                                "blocklist [ip]", "blocklist-add ip|ip…", "blocklist-remove ip|ip…|all",
                                "single-bandwidth [Mb/s]", "total-bandwidth [Mb/s]", "limit-speed [Mb/s]",
                                "downgrade-threshold [x]", "downgrade-start-check [seconds]"]

    public var adminHandler: @Sendable (String, [String]) async -> [UInt8] {
        { [self] command, arguments in await self.admin(command, arguments) }
    }

    func admin(_ command: String, _ arguments: [String]) async -> [UInt8] {
        let argument = arguments.first
        let entries = argument.map { $0 == "all" ? [] : $0.split(separator: "|").map(String.init) } ?? []
        switch command {
        case "status":
            return encode(await summary())
        case "usage", "u":
            return encode(await onLoop { $0.usage })
        case "blacklist", "b":
            return encode(await onLoop { hub in argument.map { AnyEncodable(["listed": hub.settings.blacklist.contains($0)]) } ?? AnyEncodable(hub.settings.blacklist.sorted()) })
        case "blocklist", "B":
            return encode(await onLoop { hub in argument.map { AnyEncodable(["listed": hub.settings.blocklist.contains($0)]) } ?? AnyEncodable(hub.settings.blocklist.sorted()) })
        case "blacklist-add", "ba":
            return encode(await onLoop { hub in hub.settings.blacklist.formUnion(entries); return hub.settings.blacklist.sorted() })
        case "blacklist-remove", "br":
            return encode(await onLoop { hub in
                if argument == "all" { hub.settings.blacklist.removeAll() } else { hub.settings.blacklist.subtract(entries) }
                return hub.settings.blacklist.sorted()
            })
        case "blocklist-add", "Ba":
            return encode(await onLoop { hub in hub.settings.blocklist.formUnion(entries); return hub.settings.blocklist.sorted() })
        case "blocklist-remove", "Br":
            return encode(await onLoop { hub in
                if argument == "all" { hub.settings.blocklist.removeAll() } else { hub.settings.blocklist.subtract(entries) }
                return hub.settings.blocklist.sorted()
            })
        case "single-bandwidth", "sb", "total-bandwidth", "tb", "limit-speed", "ls", "downgrade-threshold", "dt", "downgrade-start-check", "t":
            let value = argument.flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
            return encode(await onLoop { hub in
                switch command {
                case "single-bandwidth", "sb":
                    if let value { hub.settings.singleBandwidth = value }
                    return ["single_bandwidth_mbps": hub.settings.singleBandwidth]
                case "total-bandwidth", "tb":
                    if let value { hub.setTotalBandwidth(value) }
                    return ["total_bandwidth_mbps": hub.settings.totalBandwidth]
                case "limit-speed", "ls":
                    if let value { hub.settings.limitSpeed = value }
                    return ["limit_speed_mbps": hub.settings.limitSpeed]
                case "downgrade-threshold", "dt":
                    if let value { hub.settings.downgradeThreshold = value }
                    return ["downgrade_threshold": hub.settings.downgradeThreshold]
                default:
                    if let value { hub.settings.downgradeStartCheck = value }
                    return ["downgrade_start_check_seconds": hub.settings.downgradeStartCheck]
                }
            })
        default:
            return encode(["error": "unknown command '\(command)'; known: \(Self.adminCommands.joined(separator: "; "))"])
        }
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? Array(encoder.encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}

/// A type-erased Encodable, for answers that are either a list or a yes/no.
struct AnyEncodable: Encodable, Sendable {
    private let encodeValue: @Sendable (any Encoder) throws -> Void

    init<T: Encodable & Sendable>(_ value: T) {
        encodeValue = { try value.encode(to: $0) }
    }

    func encode(to encoder: any Encoder) throws {
        try encodeValue(encoder)
    }
}
