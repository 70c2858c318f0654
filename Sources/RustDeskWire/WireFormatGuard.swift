/// A cheap iterative scan of a serialized RendezvousMessage, run before SwiftProtobuf sees the
/// bytes (docs/rustdesk-protocol.md#hostile-input). It rejects groups (wire types 3 and 4; the schema has none, so they can
/// only be an attack on recursive skipping), reserved wire types 6 and 7, field number 0, and
/// truncated varints or lengths. It descends into every length-delimited field the schema
/// declares as a message — exactly the bytes SwiftProtobuf will parse rather than store — so
/// no group can reach the parser at any depth. Unknown length-delimited fields are skipped as
/// opaque bytes, which is what SwiftProtobuf does with them too.
enum WireFormatGuard {
    /// The messages of rendezvous.proto that contain message-typed fields, plus "leaf" for the rest.
    private enum Node {
        case rendezvous, punchHole, testNatResponse, requestRelay, fetchLocalAddr
        case httpProxyRequest, httpProxyResponse, leaf

        /// The node of a message-typed field `number`, or nil for scalars, bytes and unknown fields.
        func child(_ number: UInt64) -> Node? {
            switch (self, number) {
            case (.rendezvous, 9): .punchHole
            case (.rendezvous, 18): .requestRelay
            case (.rendezvous, 12): .fetchLocalAddr
            case (.rendezvous, 21): .testNatResponse
            case (.rendezvous, 27): .httpProxyRequest
            case (.rendezvous, 28): .httpProxyResponse
            case (.rendezvous, 6...28): .leaf
            case (.punchHole, 8...9), (.requestRelay, 9...10), (.fetchLocalAddr, 4...5): .leaf
            case (.testNatResponse, 2), (.httpProxyRequest, 3), (.httpProxyResponse, 2): .leaf
            default: nil
            }
        }
    }

    /// Whether `bytes` is well-formed, group-free protobuf wire format for RendezvousMessage.
    static func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        // Open messages as (end offset, node); the schema nests at most three deep.
        var open: [(end: Int, node: Node)] = [(bytes.count, .rendezvous)]
        while let current = open.last {
            if position == current.end {
                open.removeLast()
                continue
            }
            guard let key = readVarint(bytes, &position, end: current.end) else { return false }
            let number = key >> 3
            guard number != 0 else { return false }
            switch key & 7 {
            case 0:
                guard readVarint(bytes, &position, end: current.end) != nil else { return false }
            case 1:
                guard current.end - position >= 8 else { return false }
                position += 8
            case 5:
                guard current.end - position >= 4 else { return false }
                position += 4
            case 2:
                guard let length = readVarint(bytes, &position, end: current.end),
                      length <= UInt64(current.end - position)
                else { return false }
                let end = position + Int(length)
                if let child = current.node.child(number) {
                    open.append((end, child))
                } else {
                    position = end
                }
            default:
                return false
            }
        }
        return true
    }

    /// A base-128 varint of at most 10 bytes that ends before `end`.
    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 70 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
