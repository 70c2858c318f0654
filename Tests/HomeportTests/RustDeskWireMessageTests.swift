import Foundation
import SwiftProtobuf
import Testing
@testable import RustDeskWire

/// A docs/rustdesk-protocol.md#encoding-rules table row: the message and its exact bytes.
struct WireMessageRow: Sendable, CustomTestStringConvertible {
    let name: String
    let message: Hbb_RendezvousMessage
    let hex: String
    var testDescription: String { name }
}

@Suite struct RustDeskWireMessageTests {
    static let digits = "31 32 33 34 35 36 37 38 39"  // "123456789"

    static func message(_ build: (inout Hbb_RendezvousMessage) -> Void) -> Hbb_RendezvousMessage {
        var message = Hbb_RendezvousMessage()
        build(&message)
        return message
    }

    static let rows: [WireMessageRow] = [
        WireMessageRow(name: "RegisterPeerResponse{request_pk = true}",
                       message: message { $0.registerPeerResponse.requestPk = true }, hex: "3a 02 10 01"),
        WireMessageRow(name: "RegisterPeerResponse{request_pk = false}",
                       message: message { $0.registerPeerResponse = .init() }, hex: "3a 00"),
        WireMessageRow(name: "RegisterPkResponse{OK}",
                       message: message { $0.registerPkResponse.result = .ok }, hex: "82 01 00"),
        WireMessageRow(name: "RegisterPkResponse{UUID_MISMATCH}",
                       message: message { $0.registerPkResponse.result = .uuidMismatch }, hex: "82 01 02 08 02"),
        WireMessageRow(name: "RegisterPkResponse{TOO_FREQUENT}",
                       message: message { $0.registerPkResponse.result = .tooFrequent }, hex: "82 01 02 08 04"),
        WireMessageRow(name: "RegisterPkResponse{NOT_SUPPORT}",
                       message: message { $0.registerPkResponse.result = .notSupport }, hex: "82 01 02 08 06"),
        WireMessageRow(name: "PunchHoleResponse{} (ID_NOT_EXIST)",
                       message: message { $0.punchHoleResponse.failure = .idNotExist }, hex: "5a 00"),
        WireMessageRow(name: "PunchHoleResponse{failure = OFFLINE}",
                       message: message { $0.punchHoleResponse.failure = .offline }, hex: "5a 02 18 02"),
        WireMessageRow(name: "PunchHoleResponse{failure = LICENSE_MISMATCH}",
                       message: message { $0.punchHoleResponse.failure = .licenseMismatch }, hex: "5a 02 18 03"),
        WireMessageRow(name: "PunchHoleResponse{nat_type = UNKNOWN_NAT}",
                       message: message { $0.punchHoleResponse.natType = .unknownNat }, hex: "5a 02 28 00"),
        WireMessageRow(name: "TestNatResponse{port = 54321}",
                       message: message { $0.testNatResponse.port = 54321 }, hex: "aa 01 04 08 b1 a8 03"),
        WireMessageRow(name: "TestNatRequest{serial = 3}",
                       message: message { $0.testNatRequest.serial = 3 }, hex: "a2 01 02 08 03"),
        WireMessageRow(name: "OnlineResponse{states = a0 00}",
                       message: message { $0.onlineResponse.states = Data([0xA0, 0x00]) }, hex: "c2 01 04 0a 02 a0 00"),
        WireMessageRow(name: "RegisterPeer{id, serial = 3}",
                       message: message { $0.registerPeer.id = "123456789"; $0.registerPeer.serial = 3 },
                       hex: "32 0d 0a 09 \(digits) 10 03"),
        WireMessageRow(name: "RegisterPk{id, uuid, pk = 00…1f}",
                       message: message {
                           $0.registerPk.id = "123456789"
                           $0.registerPk.uuid = Data("UUID".utf8)
                           $0.registerPk.pk = Data(0...31)
                       },
                       hex: "7a 33 0a 09 \(digits) 12 04 55 55 49 44 1a 20 " + wireHexString(0...31)),
        WireMessageRow(name: "PunchHoleRequest{id, ASYMMETRIC, KEY, 1.4.2}",
                       message: message {
                           $0.punchHoleRequest.id = "123456789"
                           $0.punchHoleRequest.natType = .asymmetric
                           $0.punchHoleRequest.licenceKey = "KEY"
                           $0.punchHoleRequest.version = "1.4.2"
                       },
                       hex: "42 19 0a 09 \(digits) 10 01 1a 03 4b 45 59 32 05 31 2e 34 2e 32"),
        WireMessageRow(name: "PunchHole{socket_addr, SYMMETRIC}",
                       message: message {
                           $0.punchHole.socketAddr = Data(wireHex("f4 a8 f0 ac 68 24 f2 b0 6e 2c"))
                           $0.punchHole.natType = .symmetric
                       },
                       hex: "4a 0e 0a 0a f4 a8 f0 ac 68 24 f2 b0 6e 2c 18 02"),
        WireMessageRow(name: "RelayResponse{pk = <empty>}",
                       message: message { $0.relayResponse.pk = Data() }, hex: "9a 01 02 2a 00"),
        WireMessageRow(name: "RequestRelay{uuid = u, licence_key = K}",
                       message: message { $0.requestRelay.uuid = "u"; $0.requestRelay.licenceKey = "K" },
                       hex: "92 01 06 12 01 75 32 01 4b"),
        WireMessageRow(name: "OnlineRequest{id, peers}",
                       message: message {
                           $0.onlineRequest.id = "123456789"
                           $0.onlineRequest.peers = ["111111111", "222222222"]
                       },
                       hex: "ba 01 21 0a 09 \(digits) 12 09 " + String(repeating: "31 ", count: 9)
                           + "12 09 " + String(repeating: "32 ", count: 9)),
    ]

    @Test(arguments: rows)
    func encodesByteExactly(row: WireMessageRow) {
        #expect(wireHexString(RendezvousCoding.encode(row.message)) == wireHexString(wireHex(row.hex)))
    }

    @Test(arguments: rows)
    func decodesBack(row: WireMessageRow) {
        #expect(RendezvousCoding.decode(wireHex(row.hex)) == row.message)
    }

    @Test func frameOfNotSupportIsByteExact() {
        let message = Self.message { $0.registerPkResponse.result = .notSupport }
        #expect(FrameHeader.frame(RendezvousCoding.encode(message)) == wireHex("14 82 01 02 08 06"))
    }

    @Test func emptyInputIsAnEmptyMessage() throws {
        let decoded = try #require(RendezvousCoding.decode([UInt8]()))
        #expect(decoded.union == nil)
    }

    /// docs/rustdesk-protocol.md#encoding-rules rule 4: unknown fields (newer Pro fields) and unknown enum values are accepted.
    @Test func unknownFieldsAndEnumValuesAreTolerated() throws {
        // RegisterPeer{id = "123456789"} plus field 99 (varint 1) inside, field 5 at top level.
        let bytes = wireHex("32 0e 0a 09 \(Self.digits) 98 06 01 2a 01 00")
        let decoded = try #require(RendezvousCoding.decode(bytes))
        #expect(decoded.registerPeer.id == "123456789")
        // PunchHoleRequest{nat_type = 7}
        let request = try #require(RendezvousCoding.decode(wireHex("42 02 10 07")))
        #expect(request.punchHoleRequest.natType == .UNRECOGNIZED(7))
    }

    @Test(arguments: [
        ("invalid UTF-8 in RegisterPeer.id", "32 04 0a 02 c3 28"),
        ("truncated length", "32 0d 0a 09 31 32"),
        ("truncated varint", "32 02 10 ff"),
        ("key varint runs off the end", "ff"),
        ("11-byte varint", "32 0c 10 ff ff ff ff ff ff ff ff ff ff 01"),
        ("field number 0", "02 00"),
        ("wire type 6", "0e"),
        ("group at top level", "0b 0c"),
        ("group inside the oneof member", "32 02 1b 1c"),
        ("group inside PunchHole.control_permissions", "4a 04 42 02 1b 1c"),
        ("group inside TestNatResponse.cu", "aa 01 04 12 02 0b 0c"),
        ("end group alone", "32 01 0c"),
        ("sub-message longer than its parent", "4a 03 42 05 08"),
    ])
    func malformedInputDecodesToNil(name: String, hex: String) {
        #expect(RendezvousCoding.decode(wireHex(hex)) == nil, "\(name)")
    }

    /// The guard is stricter than SwiftProtobuf only about groups; check that the group rows
    /// above are rejected by the guard, while everything SwiftProtobuf needs passes it.
    @Test func guardRejectsGroupsButPassesValidMessages() {
        #expect(!wireHex("32 02 1b 1c").withUnsafeBytes { WireFormatGuard.accepts($0) })
        for row in Self.rows {
            #expect(wireHex(row.hex).withUnsafeBytes { WireFormatGuard.accepts($0) }, "\(row.name)")
        }
    }

    /// Fuzz-ish: random bytes (and random mutations of valid messages) never trap.
    @Test func randomBytesNeverTrap() {
        var random = WireTestRandom(seed: 0x5EED_0003)
        var parsed = 0
        for iteration in 0..<5_000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = random.bytes(Int.random(in: 0...64, using: &random))
            } else {
                bytes = wireHex(Self.rows[iteration % Self.rows.count].hex)
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = UInt8.random(in: 0...255, using: &random)
            }
            if RendezvousCoding.decode(bytes) != nil { parsed += 1 }
        }
        // Both outcomes occur, so the decoder is exercised rather than short-circuited.
        #expect(parsed > 100 && parsed < 5_000)
    }
}
