import Foundation

/// What `homeport status` shows, served as JSON by the running daemon or rebuilt from the
/// history when the daemon is down. Later features (public IP, DDNS, rendezvous) add their
/// own optional sections here.
public struct DaemonStatus: Sendable, Codable, Equatable {
    public var daemon: DaemonInfo
    public var services: [ServiceStatus]
    /// The built-in RustDesk ID server, when it runs and answers its admin socket.
    public var rendezvous: RendezvousSummary?
    /// The built-in relay, when it runs and answers its admin socket.
    public var relay: RelaySummary?
    /// Public addresses and the NAT verdict (from the history when the daemon is down).
    public var publicIP: PublicIPStatus?
    /// Ports mapped on the router by the daemon.
    public var portMappings: [PortMappingStatus]?
    /// The forwards to make by hand while the router does not map the ports itself.
    public var manualPortForwards: [ManualPortForward]?
    /// Every DDNS record's last result and next allowed attempt.
    public var ddns: [DDNSRecordStatus]?
    /// Each built-in server listener's last contact from a public address.
    public var outsideContacts: [ListenerContactStatus]?

    enum CodingKeys: String, CodingKey {
        case daemon, services, rendezvous, relay, ddns
        case publicIP = "public_ip"
        case portMappings = "port_mappings"
        case manualPortForwards = "manual_port_forwards"
        case outsideContacts = "outside_contacts"
    }

    public init(daemon: DaemonInfo, services: [ServiceStatus]) {
        self.daemon = daemon
        self.services = services
    }
}

public struct DaemonInfo: Sendable, Codable, Equatable {
    /// False when this was rebuilt from the history because no daemon answered.
    public var running: Bool
    public var pid: Int32?
    public var version: String?
    /// Start of the current run, or of the last known run when not running.
    public var since: Date?
    /// When the last run ended (clean stop or last heartbeat), when not running.
    public var lastSeen: Date?
    public var lastRunEndedCleanly: Bool?
    public var stateDirectory: String
    public var configFile: String?

    enum CodingKeys: String, CodingKey {
        case running, pid, version, since
        case lastSeen = "last_seen"
        case lastRunEndedCleanly = "last_run_ended_cleanly"
        case stateDirectory = "state_dir"
        case configFile = "config_file"
    }

    public init(running: Bool, stateDirectory: String) {
        self.running = running
        self.stateDirectory = stateDirectory
    }
}

/// The one JSON style of every `--json` output, every control and admin socket answer: snake_case
/// keys (each type names its keys so), pretty-printed, keys sorted, slashes unescaped, dates as
/// RFC 3339 with milliseconds (so restart timing can be read off the JSON). README "JSON output".
public enum StatusJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(rfc3339(date))
        }
        return encoder
    }

    /// `value` as the text a command prints.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = formatter(fractional: true).date(from: text) ?? formatter(fractional: false).date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date: \(text)")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-25T11:05:46.123Z`. Written by hand: a DateFormatter per date made
    /// `history --json` several times slower than the text output.
    public static func rfc3339(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var milliseconds = Int(((interval - Double(seconds)) * 1000).rounded())
        if milliseconds == 1000 { seconds += 1; milliseconds = 0 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    private static func formatter(fractional: Bool) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter
    }
}
