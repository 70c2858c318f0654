import Foundation
import InternetAddress

/// SSDP discovery messages (UPnP Device Architecture 1.1, section 1.3).
public enum SSDP {
    public static let multicastAddress = IPAddress(239, 255, 255, 250)
    public static let port = 1900
    public static let internetGatewayDevice = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"

    public static func mSearch(searchTarget: String = internetGatewayDevice, host: String = "239.255.255.250:1900", maxWait: Int = 1) -> [UInt8] {
        let text = "M-SEARCH * HTTP/1.1\r\n" +
            "HOST: \(host)\r\n" +
            "MAN: \"ssdp:discover\"\r\n" +
            "MX: \(maxWait)\r\n" +
            "ST: \(searchTarget)\r\n" +
            "USER-AGENT: homeport UPnP/1.1\r\n\r\n"
        return Array(text.utf8)
    }

    public struct Response: Sendable, Equatable {
        public var location: String
        public var searchTarget: String?
        public var usn: String?
        public var server: String?
    }

    /// Parses a unicast M-SEARCH answer: an "HTTP/1.1 200 OK" status line and headers, one of
    /// which is LOCATION. Header names are case-insensitive.
    public static func parseResponse(_ data: [UInt8]) throws -> Response {
        guard data.count <= 8192 else {
            throw PortMappingError.malformedResponse(.upnp, "SSDP answer is \(data.count) bytes, over 8192")
        }
        // Split on LF bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        guard let status = lines.first else {
            throw PortMappingError.malformedResponse(.upnp, "empty SSDP answer")
        }
        let statusParts = status.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].uppercased().hasPrefix("HTTP/1."), statusParts[1] == "200" else {
            throw PortMappingError.malformedResponse(.upnp, "SSDP answer status line is \"\(status.prefix(80))\", expected HTTP/1.1 200 OK")
        }
        lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).uppercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if headers[name] == nil { headers[name] = value }
        }
        guard let location = headers["LOCATION"], !location.isEmpty else {
            throw PortMappingError.malformedResponse(.upnp, "SSDP answer has no LOCATION header")
        }
        return Response(location: location, searchTarget: headers["ST"], usn: headers["USN"], server: headers["SERVER"])
    }
}
