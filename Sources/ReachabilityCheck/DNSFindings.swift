import DNSWire
import Foundation
import InternetAddress
import StatusModel

/// Whether each DDNS hostname points at home now: asked of the system resolver (what a client
/// sees) and of the zone's primary server (what the provider has), compared with the agreed
/// public address. A record that is wrong at the source fails, with the age of its last
/// successful update; one only the resolver still has old is a warning (it expires with the TTL).
public enum DNSFindings {
    public struct Name: Sendable, Equatable {
        public var hostname: String
        public var family: IPFamily

        public init(hostname: String, family: IPFamily) {
            self.hostname = hostname
            self.family = family
        }
    }

    /// What one name resolved to, from each side; an error text when the lookup failed.
    public struct Answers: Sendable {
        public var system: Result<[IPAddress], LookupFailure>
        public var authoritative: Result<[IPAddress], LookupFailure>

        public init(system: Result<[IPAddress], LookupFailure>, authoritative: Result<[IPAddress], LookupFailure>) {
            self.system = system
            self.authoritative = authoritative
        }
    }

    public struct LookupFailure: Error, Sendable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// Both lookups of `name`, at once.
    public static func lookUp(_ name: Name, lookup: DNSLookup = DNSLookup()) async -> Answers {
        async let system = ask(name, .system, lookup)
        async let authoritative = ask(name, .authoritative(port: 53), lookup)
        return Answers(system: await system, authoritative: await authoritative)
    }

    static func ask(_ name: Name, _ server: DNSLookup.Server, _ lookup: DNSLookup) async -> Result<[IPAddress], LookupFailure> {
        do {
            return .success(try await lookup.addresses(of: try DNSName(name.hostname), family: name.family, server: server))
        } catch {
            return .failure(LookupFailure("\(error)"))
        }
    }

    public static func finding(_ name: Name, answers: Answers, expected: IPAddress?, record: DDNSRecordStatus?, now: Date) -> CheckFinding {
        let type = name.family == .ipv4 ? "A" : "AAAA"
        let id = "dns.\(name.hostname).\(type.lowercased())"
        let label = "\(name.hostname) \(type)"
        let updated = record?.setAt.map { "last successful update \(StatusFindings.ago($0, now: now))" } ?? "no successful update recorded"
        guard let expected else {
            return CheckFinding(id: id, topic: .dns, outcome: .unknown, title: "\(label): the public \(name.family == .ipv4 ? "IPv4" : "IPv6") address to compare with is not known",
                                details: [text(answers.system, "system resolver"), text(answers.authoritative, "zone's primary server")])
        }
        switch (answers.authoritative, answers.system) {
        case (.success(let primary), .success(let system)) where primary.contains(expected) && system.contains(expected):
            return CheckFinding(id: id, topic: .dns, outcome: .pass, title: "\(label) → \(expected) (the zone's primary server and the system resolver)")
        case (.success(let primary), _) where primary.contains(expected):
            return CheckFinding(id: id, topic: .dns, outcome: .warning, title: "\(label) is \(expected) at the source, but the system resolver still answers otherwise",
                                details: [text(answers.system, "system resolver"), "Resolvers keep an old answer until its TTL runs out; \(updated)."])
        case (.success(let primary), _):
            return CheckFinding(id: id, topic: .dns, outcome: .fail,
                                title: "\(label) points at \(primary.isEmpty ? "nothing" : primary.map(\.description).joined(separator: ", ")), not at \(expected)",
                                details: ["The zone's primary server says so; \(updated)." + (record?.lastMessage.map { " Last answer from \(record?.provider ?? "the provider"): \($0)" } ?? "")],
                                fixes: ["update now: `homeport update`", "see what the provider answered: `homeport history ddns --host \(name.hostname)`"])
        case (.failure(let failure), .success(let system)):
            // The primary could not be asked (often: it refuses outside queries); the resolver decides.
            let outcome: CheckOutcome = system.contains(expected) ? .pass : .fail
            return CheckFinding(id: id, topic: .dns, outcome: outcome,
                                title: outcome == .pass ? "\(label) → \(expected) (system resolver)"
                                    : "\(label) resolves to \(system.isEmpty ? "nothing" : system.map(\.description).joined(separator: ", ")), not \(expected)",
                                details: ["The zone's primary server could not be asked: \(failure.reason)", "\(updated.prefix(1).uppercased() + updated.dropFirst())."],
                                fixes: outcome == .pass ? [] : ["update now: `homeport update`", "see `homeport history ddns --host \(name.hostname)`"])
        case (.failure(let primary), .failure(let system)):
            return CheckFinding(id: id, topic: .dns, outcome: .unknown, title: "\(label) could not be looked up",
                                details: ["System resolver: \(system.reason)", "Zone's primary server: \(primary.reason)"])
        }
    }

    static func text(_ result: Result<[IPAddress], LookupFailure>, _ who: String) -> String {
        switch result {
        case .success(let addresses): "The \(who) answers \(addresses.isEmpty ? "no address" : addresses.map(\.description).joined(separator: ", "))."
        case .failure(let failure): "The \(who) could not be asked: \(failure.reason)"
        }
    }
}
