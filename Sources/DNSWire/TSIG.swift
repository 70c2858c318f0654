import Foundation
import Sodium

/// Why a TSIG-signed exchange failed: the server rejected our signature, or its answer did not
/// carry a valid one. Never contains the secret.
public enum TSIGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server put BADSIG, BADKEY, BADTIME or BADTRUNC in its TSIG Error field.
    /// `serverTime` is the server's clock (BADTIME answers carry it in Other Data).
    case serverRejected(DNSResponseCode, headerResponseCode: DNSResponseCode, serverTime: UInt64?)
    /// The answer to a signed request has no TSIG record.
    case unsigned(responseCode: DNSResponseCode)
    /// The answer's TSIG is made with another key or algorithm than the request's.
    case keyMismatch(expected: String, found: String)
    /// The answer's MAC does not verify: altered in transit or signed with another secret.
    case badSignature
    /// The answer's Time Signed is further from our clock than its Fudge allows.
    case timeOutsideFudge(signed: UInt64, local: UInt64, fudge: UInt16)

    public var description: String {
        switch self {
        case .serverRejected(let code, let header, let serverTime):
            var text = "server rejected the TSIG signature: \(code) (RCODE \(header))"
            switch code {
            case .badSignature: text += " — the key secret does not match the server's"
            case .badKey: text += " — the server does not know this key name/algorithm"
            case .badTime:
                text += " — clock skew: our clock differs from the server's by more than the fudge"
                if let serverTime {
                    let local = UInt64(Date().timeIntervalSince1970)
                    text += " (server time \(serverTime), ours \(local), difference \(Int64(bitPattern: local &- serverTime)) s)"
                }
            default: break
            }
            return text
        case .unsigned(let code):
            return "the server's answer (\(code)) is not TSIG-signed although the request was; not trusting it"
        case .keyMismatch(let expected, let found):
            return "the server's answer is signed with \(found), expected \(expected)"
        case .badSignature:
            return "the server's answer has a TSIG MAC that does not verify with our key"
        case .timeOutsideFudge(let signed, let local, let fudge):
            return "clock skew: the server's answer was signed at \(signed), our clock says \(local), more than the fudge of \(fudge) s apart"
        }
    }
}

/// A message signed with TSIG: the bytes to send, and the MAC the answer's MAC must chain to.
public struct TSIGSignedMessage: Sendable {
    public let bytes: [UInt8]
    public let id: UInt16
    public let requestMAC: [UInt8]
    public let key: TSIGKey

    init(bytes: [UInt8], id: UInt16, requestMAC: [UInt8], key: TSIGKey) {
        self.bytes = bytes
        self.id = id
        self.requestMAC = requestMAC
        self.key = key
    }

    /// A request signed elsewhere (e.g. captured from `nsupdate`), to verify its answer.
    public init(signedBytes: [UInt8], key: TSIGKey) throws {
        let message = try DNSMessage(decoding: signedBytes)
        guard let tsig = message.tsig else { throw TSIGError.unsigned(responseCode: message.responseCode) }
        self.init(bytes: signedBytes, id: message.id, requestMAC: tsig.data.mac, key: key)
    }
}

/// TSIG signing and verification (RFC 8945).
public enum TSIG {
    public static let defaultFudge: UInt16 = 300

    /// Signs `message`: appends a TSIG record (time `timeSigned`, fudge, original ID = the message ID).
    public static func sign(_ message: DNSMessage, with key: TSIGKey, timeSigned: UInt64 = currentTime(),
                            fudge: UInt16 = defaultFudge) throws -> TSIGSignedMessage {
        try sign(bytes: message.encode(), with: key, timeSigned: timeSigned, fudge: fudge)
    }

    /// Signs an already-encoded message (its ARCOUNT not counting the TSIG record to come).
    public static func sign(bytes unsigned: [UInt8], with key: TSIGKey, timeSigned: UInt64 = currentTime(),
                            fudge: UInt16 = defaultFudge) throws -> TSIGSignedMessage {
        guard unsigned.count >= 12 else { throw DNSWireError.truncated(field: "header", offset: unsigned.count, needed: 12 - unsigned.count) }
        let id = UInt16(unsigned[0]) << 8 | UInt16(unsigned[1])
        let additionalCount = Int(unsigned[10]) << 8 | Int(unsigned[11])
        guard additionalCount < 0xFFFF else {
            throw DNSWireError.valueTooLarge(field: "additionals count", value: additionalCount + 1, limit: 0xFFFF)
        }
        let mac = key.algorithm.mac(key: key.secret, message: unsigned + variables(
            keyName: key.name, algorithm: key.algorithm.dnsName, timeSigned: timeSigned, fudge: fudge,
            error: .noError, otherData: []))
        let record = DNSResourceRecord(
            name: key.name, type: .tsig, recordClass: .any, ttl: 0,
            data: .tsig(TSIGRecordData(algorithm: key.algorithm.dnsName, timeSigned: timeSigned, fudge: fudge,
                                       mac: mac, originalID: id, error: .noError, otherData: [])))
        var writer = DNSByteWriter(bytes: unsigned)
        try record.encode(into: &writer)
        writer.patch(UInt16(additionalCount + 1), at: 10)
        return TSIGSignedMessage(bytes: writer.bytes, id: id, requestMAC: mac, key: key)
    }

    /// Checks the answer to `request`: it must carry a TSIG from the same key whose MAC covers the
    /// request MAC, the answer and the TSIG variables, signed within the fudge of `now`.
    /// Returns the decoded answer; throws `TSIGError` (or `DNSWireError` for malformed bytes).
    public static func verifyResponse(_ bytes: [UInt8], to request: TSIGSignedMessage,
                                      now: UInt64 = currentTime()) throws -> DNSMessage {
        let (message, tsigOffset) = try DNSMessage.decodeLocatingTSIG(bytes)
        guard let (owner, tsig) = message.tsig, let tsigOffset else {
            throw TSIGError.unsigned(responseCode: message.responseCode)
        }
        if tsig.error != .noError {
            var serverTime: UInt64?
            if tsig.error == .badTime, tsig.otherData.count == 6 {
                serverTime = tsig.otherData.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            }
            // An unsigned rejection (BADSIG/BADKEY) cannot be verified; a signed one (BADTIME)
            // is checked first so a forged "clock skew" cannot be injected.
            if !tsig.mac.isEmpty {
                try checkMAC(bytes: bytes, tsigOffset: tsigOffset, owner: owner, tsig: tsig, request: request)
            }
            throw TSIGError.serverRejected(tsig.error, headerResponseCode: DNSResponseCode(rawValue: UInt16(message.headerResponseCode)),
                                           serverTime: serverTime)
        }
        try checkMAC(bytes: bytes, tsigOffset: tsigOffset, owner: owner, tsig: tsig, request: request)
        let distance = now > tsig.timeSigned ? now - tsig.timeSigned : tsig.timeSigned - now
        guard distance <= UInt64(tsig.fudge) else {
            throw TSIGError.timeOutsideFudge(signed: tsig.timeSigned, local: now, fudge: tsig.fudge)
        }
        return message
    }

    /// Checks a signed request (what a server does); used to test against messages BIND signed.
    public static func verifyRequest(_ bytes: [UInt8], key: TSIGKey, now: UInt64 = currentTime()) throws -> DNSMessage {
        let (message, tsigOffset) = try DNSMessage.decodeLocatingTSIG(bytes)
        guard let (owner, tsig) = message.tsig, let tsigOffset else {
            throw TSIGError.unsigned(responseCode: message.responseCode)
        }
        try checkMAC(bytes: bytes, tsigOffset: tsigOffset, owner: owner, tsig: tsig, requestMAC: nil, key: key)
        let distance = now > tsig.timeSigned ? now - tsig.timeSigned : tsig.timeSigned - now
        guard distance <= UInt64(tsig.fudge) else {
            throw TSIGError.timeOutsideFudge(signed: tsig.timeSigned, local: now, fudge: tsig.fudge)
        }
        return message
    }

    public static func currentTime() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }

    // MARK: Internals

    private static func checkMAC(bytes: [UInt8], tsigOffset: Int, owner: DNSName, tsig: TSIGRecordData,
                                 request: TSIGSignedMessage) throws {
        try checkMAC(bytes: bytes, tsigOffset: tsigOffset, owner: owner, tsig: tsig, requestMAC: request.requestMAC, key: request.key)
    }

    private static func checkMAC(bytes: [UInt8], tsigOffset: Int, owner: DNSName, tsig: TSIGRecordData,
                                 requestMAC: [UInt8]?, key: TSIGKey) throws {
        guard owner == key.name, tsig.algorithm == key.algorithm.dnsName else {
            throw TSIGError.keyMismatch(expected: "\(key.name) \(key.algorithm.rawValue)", found: "\(owner) \(tsig.algorithm)")
        }
        // The signed form: the message without its TSIG record, ARCOUNT one less, the original ID.
        var signed = Array(bytes[0..<tsigOffset])
        let additionalCount = UInt16(signed[10]) << 8 | UInt16(signed[11])
        var writer = DNSByteWriter(bytes: [])
        if let requestMAC {
            writer.write(UInt16(requestMAC.count))
            writer.write(requestMAC)
        }
        signed[0] = UInt8(tsig.originalID >> 8)
        signed[1] = UInt8(tsig.originalID & 0xFF)
        signed[10] = UInt8((additionalCount &- 1) >> 8)
        signed[11] = UInt8((additionalCount &- 1) & 0xFF)
        let expected = key.algorithm.mac(key: key.secret, message: writer.bytes + signed + variables(
            keyName: owner, algorithm: tsig.algorithm, timeSigned: tsig.timeSigned, fudge: tsig.fudge,
            error: tsig.error, otherData: tsig.otherData))
        // Truncated MACs (RFC 8945 §5.2.2.1) are allowed down to half the length, at least 10 bytes.
        let minimum = max(10, expected.count / 2)
        guard tsig.mac.count >= minimum, tsig.mac.count <= expected.count,
              HMAC.equal(Array(expected.prefix(tsig.mac.count)), tsig.mac) else {
            throw TSIGError.badSignature
        }
    }

    /// The TSIG variables (RFC 8945 §4.3.3) that follow the message in the MAC input.
    static func variables(keyName: DNSName, algorithm: DNSName, timeSigned: UInt64, fudge: UInt16,
                          error: DNSResponseCode, otherData: [UInt8]) -> [UInt8] {
        var writer = DNSByteWriter()
        writer.write(keyName.canonicalWireFormat)
        writer.write(DNSClass.any.rawValue)
        writer.write(UInt32(0))
        writer.write(algorithm.canonicalWireFormat)
        writer.writeUInt48(timeSigned)
        writer.write(fudge)
        writer.write(error.rawValue)
        writer.write(UInt16(otherData.count))
        writer.write(otherData)
        return writer.bytes
    }
}
