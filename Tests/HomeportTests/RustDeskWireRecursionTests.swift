import SwiftProtobuf
import Testing
@testable import RustDeskWire

/// docs/rustdesk-protocol.md#hostile-input: 300 000 start-group tags then 300 000 end-group tags for field 1.
@Suite struct RustDeskWireRecursionTests {
    static let payload = [UInt8](repeating: 0x0B, count: 300_000) + [UInt8](repeating: 0x0C, count: 300_000)

    @Test func guardRejectsTheNestingPayloadBeforeSwiftProtobuf() {
        #expect(!Self.payload.withUnsafeBytes { WireFormatGuard.accepts($0) })
        // The same nesting hidden inside a oneof member is rejected as well.
        let inner = [UInt8](repeating: 0x0B, count: 1_000) + [UInt8](repeating: 0x0C, count: 1_000)
        let wrapped = [0x32, 0xD0, 0x0F] + inner  // RegisterPeer, length 2000
        #expect(!wrapped.withUnsafeBytes { WireFormatGuard.accepts($0) })
    }

    @Test func decodeReturnsNilWithoutCrashing() {
        let payload = Self.payload
        let rejected = onLargeStack { RendezvousCoding.decode(payload) == nil }
        #expect(rejected)
    }

    /// Documents the library itself: SwiftProtobuf 1.39 counts skipped unknown groups against
    /// messageDepthLimit (default 100), so even without the guard the payload is a parse error,
    /// not a stack overflow. Run on a large stack so a regression cannot kill the test runner.
    @Test func swiftProtobufAloneAlsoRejectsIt() {
        let payload = Self.payload
        let outcome = onLargeStack { () -> String in
            do {
                _ = try Hbb_RendezvousMessage(serializedBytes: payload)
                return "parsed"
            } catch let error as BinaryDecodingError {
                return error == .messageDepthLimit ? "depth limit" : "other error: \(error)"
            } catch {
                return "other error: \(error)"
            }
        }
        #expect(outcome == "depth limit")
    }
}
