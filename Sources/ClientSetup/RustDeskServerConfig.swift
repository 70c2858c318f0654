import Foundation

/// The server settings a RustDesk client imports in one string: the ID server (`host`), relay,
/// API server and key as JSON, in URL-safe base64 without padding, reversed.
///
/// Upstream reads it in three places, all of which accept this form: `rustdesk --config
/// <string>` (rustdesk `src/core_main.rs`, through `get_custom_server_from_string` in
/// `src/custom_server.rs`: reversed, `URL_SAFE_NO_PAD`, serde with every field defaulting to
/// ""), the Flutter app's "Import server config" and its QR scanner (`ServerConfig.decode` in
/// `flutter/lib/common.dart`, which also accepts padding). An empty field is left out of the
/// JSON, since a missing field reads as "" everywhere; the rest keep the order of the Flutter
/// app's own export (host, relay, api, key), so `{"host":"1.1.1.1","key":"5Qbw…"}`, the
/// string upstream's `custom_server.rs` tests decode, comes out byte for byte.
public struct RustDeskServerConfig: Sendable, Equatable {
    /// The ID server, `host` or `host:port` (the client adds port 21116 when none is given).
    public var host: String
    /// The relay server; empty lets the client derive it from the ID server (port + 1).
    public var relay: String
    public var api: String
    /// The server's public key (base64), as `homeport keygen` prints it.
    public var key: String

    public init(host: String, relay: String = "", api: String = "", key: String) {
        self.host = host
        self.relay = relay
        self.api = api
        self.key = key
    }

    /// The JSON object, fields in the order above, empty ones left out.
    public var json: String {
        let fields = [("host", host), ("relay", relay), ("api", api), ("key", key)].filter { !$0.1.isEmpty }
        return "{" + fields.map { JSONText.string($0.0) + ":" + JSONText.string($0.1) }.joined(separator: ",") + "}"
    }

    /// The string a client imports.
    public var encoded: String {
        String(URLSafeBase64.encode(Array(json.utf8)).reversed())
    }

    /// Reads a string made by `encoded`, by upstream's tools or by a RustDesk client's export.
    public init(decoding text: String) throws(ServerConfigStringError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard let bytes = URLSafeBase64.decode(String(trimmed.reversed())) else { throw .notBase64 }
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch {
            throw .notServerSettings
        }
        self.init(host: fields.host ?? "", relay: fields.relay ?? "", api: fields.api ?? "", key: fields.key ?? "")
    }

    /// Every field may be missing (upstream's `#[serde(default)]`); other fields are ignored.
    private struct Fields: Decodable {
        var host: String?
        var relay: String?
        var api: String?
        var key: String?
    }
}

/// Why a string is not a RustDesk server-config string.
public enum ServerConfigStringError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case notBase64
    case notServerSettings

    public var description: String {
        switch self {
        case .empty:
            "the server-config string is empty"
        case .notBase64:
            "not a RustDesk server-config string: reversed, it is not URL-safe base64 (letters, digits, '-' and '_')"
        case .notServerSettings:
            "not a RustDesk server-config string: it decodes, but not to a JSON object of text fields host, relay, api and key"
        }
    }
}
