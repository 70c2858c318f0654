import Foundation
import InternetAddress

/// A change of public address seen by a detection source (stored only when it changes).
public struct IPObservation: Sendable, Equatable, Codable {
    public var time: Date
    public var address: IPAddress
    public var source: String

    public var family: IPFamily { address.family }

    public init(time: Date, address: IPAddress, source: String) {
        self.time = time
        self.address = address
        self.source = source
    }

    // `homeport history ip --json` lists the family with each change.
    enum CodingKeys: String, CodingKey {
        case time, family, address, source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try container.decode(Date.self, forKey: .time), address: try container.decode(IPAddress.self, forKey: .address),
                  source: try container.decode(String.self, forKey: .source))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(family, forKey: .family)
        try container.encode(address, forKey: .address)
        try container.encode(source, forKey: .source)
    }
}

/// One DDNS update attempt and what the provider answered. Never holds credentials.
public struct DDNSResult: Sendable, Equatable {
    public var time: Date
    public var provider: String
    public var hostname: String
    public var address: IPAddress
    public var outcome: DDNSOutcome
    public var message: String?

    public init(time: Date, provider: String, hostname: String, address: IPAddress, outcome: DDNSOutcome, message: String?) {
        self.time = time
        self.provider = provider
        self.hostname = hostname
        self.address = address
        self.outcome = outcome
        self.message = message
    }
}

// `homeport history ddns --json` lists the family with each attempt, as `history ip --json` does.
extension DDNSResult: Codable {
    enum CodingKeys: String, CodingKey {
        case time, provider, hostname, family, address, outcome, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try container.decode(Date.self, forKey: .time), provider: try container.decode(String.self, forKey: .provider),
                  hostname: try container.decode(String.self, forKey: .hostname), address: try container.decode(IPAddress.self, forKey: .address),
                  outcome: try container.decode(DDNSOutcome.self, forKey: .outcome), message: try container.decodeIfPresent(String.self, forKey: .message))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(provider, forKey: .provider)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(address.family, forKey: .family)
        try container.encode(address, forKey: .address)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(message, forKey: .message)
    }
}
