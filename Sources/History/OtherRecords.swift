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
}

/// One DDNS update attempt and what the provider answered. Never holds credentials.
public struct DDNSResult: Sendable, Equatable, Codable {
    public var time: Date
    public var provider: String
    public var hostname: String
    public var address: IPAddress
    public var outcome: String
    public var message: String?

    public init(time: Date, provider: String, hostname: String, address: IPAddress, outcome: String, message: String?) {
        self.time = time
        self.provider = provider
        self.hostname = hostname
        self.address = address
        self.outcome = outcome
        self.message = message
    }
}
