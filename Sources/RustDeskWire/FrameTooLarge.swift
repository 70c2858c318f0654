/// A frame announced (or asked to carry) more payload than allowed. Thrown by `FrameDecoder` as
/// soon as the header is read, before any payload is buffered, so a hostile length costs nothing;
/// the connection should then be closed.
public struct FrameTooLarge: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload length in the header (decoder) or of the message to send (encoder).
    public let length: Int
    /// The limit it exceeded.
    public let maximum: Int

    public init(length: Int, maximum: Int) {
        self.length = length
        self.maximum = maximum
    }

    public var description: String {
        "frame of \(length) bytes exceeds the maximum of \(maximum) bytes"
    }
}
