import Foundation
import Supervisor

/// What `homeport status` shows, served as JSON by the running daemon or rebuilt from the
/// history when the daemon is down. Later features (public IP, DDNS, rendezvous) add their
/// own optional sections here.
public struct DaemonStatus: Sendable, Codable, Equatable {
    public var daemon: DaemonInfo
    public var services: [ServiceStatus]

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

public enum StatusJSON {
    /// Dates as RFC 3339 with milliseconds, so restart timing can be read off the JSON.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatter(fractional: true).string(from: date))
        }
        return encoder
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

    private static func formatter(fractional: Bool) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter
    }
}
