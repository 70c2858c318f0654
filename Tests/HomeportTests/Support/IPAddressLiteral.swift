import InternetAddress

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
