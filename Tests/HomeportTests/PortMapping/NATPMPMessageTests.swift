import Foundation
import InternetAddress
@testable import PortMapping
import Testing

@Suite("NAT-PMP wire format (RFC 6886)")
struct NATPMPMessageTests {
    @Test func publicAddressRequestIsVersionZeroOpcodeZero() {
        #expect(NATPMPMessage.publicAddressRequest() == [0x00, 0x00])
    }

    @Test func mapRequestBytesFollowSection33() {
        let tcp = NATPMPMessage.mapRequest(proto: .tcp, internalPort: 21116, suggestedExternalPort: 21117, lifetime: 7200)
        #expect(tcp == [0x00, 0x02, 0x00, 0x00, 0x52, 0x7C, 0x52, 0x7D, 0x00, 0x00, 0x1C, 0x20])
        let udp = NATPMPMessage.mapRequest(proto: .udp, internalPort: 1, suggestedExternalPort: 65535, lifetime: 0xDEADBEEF)
        #expect(udp == [0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xDE, 0xAD, 0xBE, 0xEF])
        // Deleting: lifetime 0 and external port 0 (section 3.4).
        let delete = NATPMPMessage.mapRequest(proto: .udp, internalPort: 21116, suggestedExternalPort: 0, lifetime: 0)
        #expect(delete == [0x00, 0x01, 0x00, 0x00, 0x52, 0x7C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
    }

    @Test func decodesPublicAddressResponse() throws {
        let data: [UInt8] = [0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x2B, 0x67, 11, 22, 33, 44]
        let response = try NATPMPMessage.decodePublicAddressResponse(data)
        #expect(response.epoch == 11111)
        #expect(response.address == IPAddress(11, 22, 33, 44))
    }

    @Test func decodesMapResponse() throws {
        let data: [UInt8] = [0x00, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x52, 0x7C, 0x9C, 0x40, 0x00, 0x00, 0x0E, 0x10]
        let response = try NATPMPMessage.decodeMapResponse(data, proto: .tcp)
        #expect(response == NATPMPMessage.MapResponse(proto: .tcp, epoch: 7, internalPort: 21116, externalPort: 40000, lifetime: 3600))
    }

    @Test func resultCodesBecomeRefusals() {
        for code: UInt16 in 1...5 {
            let data: [UInt8] = [0x00, 0x81, 0x00, UInt8(code), 0, 0, 0, 1, 0x52, 0x7C, 0, 0, 0, 0, 0, 0]
            #expect(throws: PortMappingError.natpmpResult(code: code)) { try NATPMPMessage.decodeMapResponse(data, proto: .udp) }
        }
        // miniupnpd with no usable WAN address answers the public address request with 3.
        let short: [UInt8] = [0x00, 0x80, 0x00, 0x03, 0, 0, 0, 9, 0, 0, 0, 0]
        #expect(throws: PortMappingError.natpmpResult(code: 3)) { try NATPMPMessage.decodePublicAddressResponse(short) }
        // An "unsupported version" answer may be only the header.
        #expect(throws: PortMappingError.natpmpResult(code: 1)) { try NATPMPMessage.decodePublicAddressResponse([0x00, 0x80, 0x00, 0x01]) }
        #expect(PortMappingError.natpmpResult(code: 4).description.contains("out of resources"))
        #expect(PortMappingError.natpmpResult(code: 2).description.contains("not authorized"))
    }

    @Test func rejectsWrongVersionOpcodeAndLength() {
        let good: [UInt8] = [0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x2B, 0x67, 11, 22, 33, 44]
        var wrongVersion = good
        wrongVersion[0] = 2
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse(wrongVersion) }?.contains("version 2") == true)
        var wrongOpcode = good
        wrongOpcode[1] = 0x81
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse(wrongOpcode) }?.contains("opcode 129") == true)
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse(Array(good.prefix(11))) }?.contains("11 bytes") == true)
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse(good + [0]) }?.contains("13 bytes") == true)
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse([0x00, 0x80, 0x00]) }?.contains("shorter") == true)
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse([]) } != nil)
        #expect(malformedReason { try NATPMPMessage.decodePublicAddressResponse([0x00, 0x80, 0x00, 0x00, 0x00]) }?.contains("no epoch") == true)
        // A UDP answer to a TCP request is the wrong opcode.
        let udpAnswer: [UInt8] = [0x00, 0x81, 0x00, 0x00, 0, 0, 0, 7, 0x52, 0x7C, 0x52, 0x7C, 0, 0, 0x0E, 0x10]
        #expect(malformedReason { try NATPMPMessage.decodeMapResponse(udpAnswer, proto: .tcp) }?.contains("expected 130") == true)
        #expect(malformedReason { try NATPMPMessage.decodeMapResponse(Array(udpAnswer.prefix(12)), proto: .udp) }?.contains("expected 16") == true)
    }

    @Test func epochTrackerSeesARestart() {
        var tracker = NATPMPEpochTracker()
        let start = ContinuousClock.now
        #expect(tracker.observe(1000, at: start) == false)
        #expect(tracker.observe(1010, at: start.advanced(by: .seconds(10))) == false)
        // Slower than 7/8 of real time by more than 2 s: the router restarted.
        #expect(tracker.observe(1011, at: start.advanced(by: .seconds(30))) == true)
        #expect(tracker.observe(3, at: start.advanced(by: .seconds(31))) == true)
        #expect(tracker.observe(4, at: start.advanced(by: .seconds(32))) == false)
    }
}
