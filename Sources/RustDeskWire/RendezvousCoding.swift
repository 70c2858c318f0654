import SwiftProtobuf

/// Serialized RendezvousMessage ⇄ value: every hbbs/hbbr payload (TCP frame, WebSocket message,
/// UDP datagram) is exactly one of these (docs/rustdesk-protocol.md#messages).
public enum RendezvousCoding {
    /// The schema nests at most four messages deep; anything deeper is hostile.
    static let messageDepthLimit = 10

    /// The message, or nil for anything unparseable: malformed wire format, groups, invalid
    /// UTF-8 in a string field. Unknown fields and enum values are accepted (docs/rustdesk-protocol.md#encoding-rules).
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Hbb_RendezvousMessage? {
        let array = Array(bytes)
        // The guard runs first so hostile nesting never reaches SwiftProtobuf's recursive code.
        guard array.withUnsafeBytes({ WireFormatGuard.accepts($0) }) else { return nil }
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = messageDepthLimit
        return try? Hbb_RendezvousMessage(serializedBytes: array, options: options)
    }

    /// Field order, defaults omitted, set oneof members always present (docs/rustdesk-protocol.md#encoding-rules).
    public static func encode(_ message: Hbb_RendezvousMessage) -> [UInt8] {
        // Serialization only fails for missing proto2 required fields, Any transcoding or
        // messages over 2 GiB — none possible with this schema and the size limits in front of it.
        (try? message.serializedBytes()) ?? []
    }
}
