import ClientSetup
import Foundation
import Testing

/// The server-config string RustDesk imports: JSON, URL-safe base64 without padding, reversed.
@Suite struct ServerConfigStringTests {
    /// From upstream's tests (rustdesk `src/custom_server.rs`, `test_filename_license_string`).
    static let vector = "0nI900VsFHZVBVdIlncwpHS4V0bOZ0dtVldrpVO4JHdCp0YV5WdzUGZzdnYRVjI6ISeltmIsISMuEjLx4SMiojI0N3boJye"
    static let vectorKey = "5Qbwsde3unUcJBtrx9ZkvUmwFNoExHzpryHuPUdqlWM="

    @Test func upstreamVectorDecodes() throws {
        let config = try RustDeskServerConfig(decoding: Self.vector)
        #expect(config == RustDeskServerConfig(host: "1.1.1.1", key: Self.vectorKey))
    }

    @Test func upstreamVectorIsEncodedByteForByte() throws {
        let config = RustDeskServerConfig(host: "1.1.1.1", key: Self.vectorKey)
        #expect(config.json == #"{"host":"1.1.1.1","key":"5Qbwsde3unUcJBtrx9ZkvUmwFNoExHzpryHuPUdqlWM="}"#)
        #expect(config.encoded == Self.vector)
        // decode → encode gives the same bytes back.
        #expect(try RustDeskServerConfig(decoding: Self.vector).encoded == Self.vector)
    }

    @Test func relayAndPortsKeepTheFlutterExportOrder() throws {
        let config = RustDeskServerConfig(host: "home.example.net:30000", relay: "home.example.net:30005", key: "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=")
        // Slashes in the key are not escaped: upstream's strings have none of JSONEncoder's "\/".
        #expect(config.json == #"{"host":"home.example.net:30000","relay":"home.example.net:30005","key":"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="}"#)
        #expect(!config.encoded.contains("=") && !config.encoded.contains("+") && !config.encoded.contains("/"))
        #expect(try RustDeskServerConfig(decoding: config.encoded) == config)
    }

    /// What the Flutter client's "Export server config" writes: every field, empty ones too, and
    /// base64 padding, which ends up in front once reversed.
    @Test func aFlutterExportDecodes() throws {
        let json = #"{"host":"rd.example.org","relay":"","api":"","key":"abcd"}"#
        let padded = Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(padded.hasSuffix("="), "the case needs padding: \(padded)")
        let config = try RustDeskServerConfig(decoding: String(padded.reversed()))
        #expect(config == RustDeskServerConfig(host: "rd.example.org", key: "abcd"))
        #expect(config.json == #"{"host":"rd.example.org","key":"abcd"}"#)
    }

    @Test func controlCharactersAndQuotesAreEscaped() throws {
        let config = RustDeskServerConfig(host: "a\"b\\c\u{1}", key: "k")
        #expect(config.json == #"{"host":"a\"b\\c\u0001","key":"k"}"#)
        #expect(try RustDeskServerConfig(decoding: config.encoded) == config)
    }

    @Test func otherTextIsRefusedWithASentence() {
        #expect(throws: ServerConfigStringError.notBase64) { try RustDeskServerConfig(decoding: "not a config string!") }
        #expect(throws: ServerConfigStringError.notBase64) { try RustDeskServerConfig(decoding: "abcde") }
        #expect(throws: ServerConfigStringError.empty) { try RustDeskServerConfig(decoding: " \n") }
        // Base64 of "hello world", reversed: decodes, but is no JSON object.
        #expect(throws: ServerConfigStringError.notServerSettings) { try RustDeskServerConfig(decoding: String("aGVsbG8gd29ybGQ".reversed())) }
        // A JSON object whose host is a number.
        let numeric = Data(#"{"host":1}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(throws: ServerConfigStringError.notServerSettings) { try RustDeskServerConfig(decoding: String(numeric.reversed())) }
        #expect(ServerConfigStringError.notBase64.description.contains("URL-safe base64"))
    }
}
