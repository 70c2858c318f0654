import Foundation

/// `client-config --json`: the same facts with snake_case keys.
extension ClientSetup: Encodable {
    enum CodingKeys: String, CodingKey {
        case host, key, warnings
        case hostSource = "host_source"
        case publicAddressSince = "public_address_since"
        case idServer = "id_server"
        case relayServer = "relay_server"
        case apiServer = "api_server"
        case configString = "config_string"
        case rustdeskCommand = "rustdesk_command"
        case qrText = "qr_text"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(host.description, forKey: .host)
        switch hostSource {
        case .option:
            try container.encode("option", forKey: .hostSource)
        case .ddns:
            try container.encode("ddns", forKey: .hostSource)
        case .publicAddress(let since):
            try container.encode("public_address", forKey: .hostSource)
            try container.encode(since, forKey: .publicAddressSince)
        }
        try container.encode(idServer, forKey: .idServer)
        try container.encode(relayServer, forKey: .relayServer)
        try container.encode("", forKey: .apiServer)
        try container.encode(publicKey, forKey: .key)
        try container.encode(configString, forKey: .configString)
        try container.encode(rustdeskCommand, forKey: .rustdeskCommand)
        try container.encode(qrText, forKey: .qrText)
        try container.encode(warnings, forKey: .warnings)
    }

    /// Pretty-printed, keys sorted, the date in ISO 8601.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
