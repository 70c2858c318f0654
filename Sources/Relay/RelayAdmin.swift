import Foundation
import NIOCore
import RustDeskWire
import StatusModel

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
            return await tune(command, argument)
        default:
            return encode(["error": "unknown command '\(command)'; known: \(Self.adminCommands.joined(separator: "; "))"])
        }
    }

    /// Shows or sets one of the numeric settings; a value outside its range (or no number at
    /// all) is refused with the range and changes nothing.
    private func tune(_ command: String, _ argument: String?) async -> [UInt8] {
        let name: String, key: String, range: ClosedRange<Double>, unit: String
        switch command {
        case "single-bandwidth", "sb": (name, key, range, unit) = ("single-bandwidth", "single_bandwidth_mbps", RelaySettings.bandwidthRange, "Mb/s")
        case "total-bandwidth", "tb": (name, key, range, unit) = ("total-bandwidth", "total_bandwidth_mbps", RelaySettings.bandwidthRange, "Mb/s")
        case "limit-speed", "ls": (name, key, range, unit) = ("limit-speed", "limit_speed_mbps", RelaySettings.bandwidthRange, "Mb/s")
        case "downgrade-threshold", "dt":
            (name, key, range, unit) = ("downgrade-threshold", "downgrade_threshold", RelaySettings.downgradeThresholdRange, "share of single-bandwidth")
        default:
            (name, key, range, unit) = ("downgrade-start-check", "downgrade_start_check_seconds", RelaySettings.downgradeStartCheckRange, "seconds")
        }
        var value: Double?
        if let argument {
            do {
                value = try RangedNumber.decimal(argument, name: name, in: range, unit: unit)
            } catch {
                return encode(["error": error.description])
            }
        }
        let requested = value
        return encode(await onLoop { hub in
            if let requested { hub.setTunable(name, requested) }
            return [key: hub.tunable(name)]
        })
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(StatusJSON.encoder().encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}

extension RelayHub {
    /// The numeric settings by their admin command names.
    func tunable(_ name: String) -> Double {
        switch name {
        case "single-bandwidth": settings.singleBandwidth
        case "total-bandwidth": settings.totalBandwidth
        case "limit-speed": settings.limitSpeed
        case "downgrade-threshold": settings.downgradeThreshold
        default: settings.downgradeStartCheck
        }
    }

    func setTunable(_ name: String, _ value: Double) {
        switch name {
        case "single-bandwidth": settings.singleBandwidth = value
        case "total-bandwidth": setTotalBandwidth(value)
        case "limit-speed": settings.limitSpeed = value
        case "downgrade-threshold": settings.downgradeThreshold = value
        default: settings.downgradeStartCheck = value
        }
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
