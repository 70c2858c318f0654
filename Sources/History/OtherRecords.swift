import Foundation

/// A change of public address seen by a detection source (stored only when it changes).
public struct IPObservation: Sendable, Equatable, Codable {
    public var time: Date
    public var family: String
    public var address: String
    public var source: String

    public init(time: Date, family: String, address: String, source: String) {
        self.time = time
        self.family = family
        self.address = address
        self.source = source
    }
}

/// One DDNS update attempt and what the provider answered. Never holds credentials.
public struct DDNSResult: Sendable, Equatable {
    public var time: Date
    public var provider: String
    public var hostname: String
    public var address: String
    public var outcome: DDNSOutcome
    public var message: String?

    public init(time: Date, provider: String, hostname: String, address: String, outcome: DDNSOutcome, message: String?) {
        self.time = time
        self.provider = provider
        self.hostname = hostname
        self.address = address
        self.outcome = outcome
        self.message = message
    }
}
