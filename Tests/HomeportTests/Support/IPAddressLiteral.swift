import InternetAddress
import PortMapping

/// Address literals in test fixtures: `let wan: IPAddress = "203.0.113.7"`. A literal that is not
/// an address is a mistake in the test itself, so it stops the run with the parser's message.
extension IPAddress: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        do {
            self = try IPAddress(parsing: text)
        } catch {
            preconditionFailure("test fixture: \(error)")
        }
    }
}

/// What a router reported, as a literal in probe fixtures: `externalAddress: "203.0.113.9"`,
/// `""` for the empty answer of a router with a reserved WAN address.
extension RouterWANAddress: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        self.init(reported: text)
    }
}
