import InternetAddress

/// NAT-PMP wire format (RFC 6886). Pure encode/decode; the client does the sending.
public enum NATPMPMessage {
    public static let serverPort = 5351
    public static let announcePort = 5350
    public static let version: UInt8 = 0

    public enum Opcode: UInt8, Sendable {
        case publicAddress = 0
        case mapUDP = 1
        case mapTCP = 2

        init(_ proto: TransportProtocol) { self = proto == .udp ? .mapUDP : .mapTCP }
    }

    /// Section 3.2: version 0, opcode 0.
    public static func publicAddressRequest() -> [UInt8] { [version, Opcode.publicAddress.rawValue] }

    /// Section 3.3: 12 bytes. Lifetime 0 with external port 0 deletes the mapping.
    public static func mapRequest(proto: TransportProtocol, internalPort: UInt16, suggestedExternalPort: UInt16, lifetime: UInt32) -> [UInt8] {
        var out: [UInt8] = [version, Opcode(proto).rawValue, 0, 0]
        out.append(contentsOf: internalPort.bigEndianBytes)
        out.append(contentsOf: suggestedExternalPort.bigEndianBytes)
        out.append(contentsOf: lifetime.bigEndianBytes)
        return out
    }

    public struct PublicAddressResponse: Sendable, Equatable {
        public var epoch: UInt32
        public var address: IPAddress
    }

    public struct MapResponse: Sendable, Equatable {
        public var proto: TransportProtocol
        public var epoch: UInt32
        public var internalPort: UInt16
        public var externalPort: UInt16
        public var lifetime: UInt32
    }

    /// Checks the 8-byte header every response starts with and returns (opcode, result, epoch).
    /// A non-zero result is thrown as `natpmpResult` so a short error response (RFC 6886 allows
    /// just the header for "unsupported version") is understood.
    static func header(_ data: [UInt8], expecting request: Opcode) throws -> UInt32 {
        guard data.count >= 4 else {
            throw PortMappingError.malformedResponse(.natpmp, "\(data.count)-byte packet is shorter than the 4-byte header")
        }
        guard data[0] == version else {
            throw PortMappingError.malformedResponse(.natpmp, "version \(data[0]), expected 0")
        }
        guard data[1] == request.rawValue | 0x80 else {
            throw PortMappingError.malformedResponse(.natpmp, "opcode \(data[1]), expected \(request.rawValue | 0x80)")
        }
        let result = UInt16(data[2]) << 8 | UInt16(data[3])
        if result != 0 { throw PortMappingError.natpmpResult(code: result) }
        guard data.count >= 8 else {
            throw PortMappingError.malformedResponse(.natpmp, "\(data.count)-byte success packet has no epoch")
        }
        return UInt32(bigEndian: data, at: 4)
    }

    /// Section 3.2: 12 bytes.
    public static func decodePublicAddressResponse(_ data: [UInt8]) throws -> PublicAddressResponse {
        let epoch = try header(data, expecting: .publicAddress)
        guard data.count == 12 else {
            throw PortMappingError.malformedResponse(.natpmp, "public address response is \(data.count) bytes, expected 12")
        }
        return PublicAddressResponse(epoch: epoch, address: IPAddress(data[8], data[9], data[10], data[11]))
    }

    /// Section 3.3: 16 bytes.
    public static func decodeMapResponse(_ data: [UInt8], proto: TransportProtocol) throws -> MapResponse {
        let epoch = try header(data, expecting: Opcode(proto))
        guard data.count == 16 else {
            throw PortMappingError.malformedResponse(.natpmp, "mapping response is \(data.count) bytes, expected 16")
        }
        return MapResponse(proto: proto, epoch: epoch,
                           internalPort: UInt16(bigEndian: data, at: 8), externalPort: UInt16(bigEndian: data, at: 10),
                           lifetime: UInt32(bigEndian: data, at: 12))
    }
}

/// Detects a router that lost its mapping state (RFC 6886 section 3.6): the epoch must advance
/// at least 7/8 as fast as our own clock, with 2 s of slack.
public struct NATPMPEpochTracker: Sendable {
    private var last: (epoch: UInt32, at: ContinuousClock.Instant)?

    public init() {}

    /// Records an epoch seen now; returns true when it shows the router restarted or reset.
    public mutating func observe(_ epoch: UInt32, at now: ContinuousClock.Instant = .now) -> Bool {
        defer { last = (epoch, now) }
        guard let last else { return false }
        let elapsed = (now - last.at).components.seconds
        let expected = Int64(last.epoch) + elapsed * 7 / 8 - 2
        return Int64(epoch) < expected
    }
}

extension FixedWidthInteger {
    var bigEndianBytes: [UInt8] {
        withUnsafeBytes(of: self.bigEndian) { Array($0) }
    }

    init(bigEndian data: [UInt8], at offset: Int) {
        var value: Self = 0
        for i in 0..<(Self.bitWidth / 8) { value = value << 8 | Self(data[offset + i]) }
        self = value
    }
}
