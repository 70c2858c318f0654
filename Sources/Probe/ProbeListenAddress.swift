import InternetAddress

/// Where the probe listens: `ADDR:PORT` (`0.0.0.0:21120`, `[::]:21120`, `[2001:db8::1]:8080`)
/// or a bare `PORT`, which listens on `::` (every IPv6 and, dual-stack, IPv4 address).
public struct ProbeListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        let usage = "write ADDR:PORT such as 0.0.0.0:\(ProbeSettings.defaultPort) or [::]:\(ProbeSettings.defaultPort), or a bare port"
        var hostText = "::"
        var portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostText = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(description: "'\(text)' has no :PORT after the bracketed address; \(usage)") }
            portText = rest.dropFirst()
            guard IPAddress(hostText, family: .ipv6) != nil else {
                throw ParseError(description: "'\(hostText)' in '\(text)' is not an IPv6 address; \(usage)")
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostText = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            guard IPAddress(hostText, family: .ipv4) != nil else {
                throw ParseError(description: "'\(hostText)' in '\(text)' is not an IPv4 address (put an IPv6 address in brackets); \(usage)")
            }
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ParseError(description: "'\(portText)' in '\(text)' is not a port from 1 to 65535; \(usage)")
        }
        self.host = hostText
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
