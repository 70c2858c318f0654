import Foundation
import InternetAddress
import Logging
import NIOCore
import NIOPosix

/// An unsolicited router announcement (RFC 6886 section 3.2.1, RFC 6887 section 14.1.3): the
/// router restarted or its WAN address changed, so mappings and the public address need a recheck.
public struct RouterAnnouncement: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case natpmp
        case pcp
    }

    public var kind: Kind
    public var epoch: UInt32
    /// NAT-PMP announcements carry the WAN address (0.0.0.0 or a reserved one behind CGNAT).
    public var externalAddress: IPAddress?
    public var receivedAt: Date

    public init(kind: Kind, epoch: UInt32, externalAddress: IPAddress?, receivedAt: Date = Date()) {
        self.kind = kind
        self.epoch = epoch
        self.externalAddress = externalAddress
        self.receivedAt = receivedAt
    }

    /// Decodes one announcement datagram; throws naming what was wrong.
    public static func decode(_ data: [UInt8], receivedAt: Date = Date()) throws -> RouterAnnouncement {
        guard let version = data.first else {
            throw PortMappingError.malformedResponse(.natpmp, "empty announcement")
        }
        switch version {
        case NATPMPMessage.version:
            let response = try NATPMPMessage.decodePublicAddressResponse(data)
            return RouterAnnouncement(kind: .natpmp, epoch: response.epoch, externalAddress: response.address, receivedAt: receivedAt)
        case PCPMessage.version:
            let header = try PCPMessage.decodeAnnounceResponse(data)
            return RouterAnnouncement(kind: .pcp, epoch: header.epoch, externalAddress: nil, receivedAt: receivedAt)
        default:
            throw PortMappingError.malformedResponse(.natpmp, "announcement version \(version), expected 0 (NAT-PMP) or 2 (PCP)")
        }
    }
}

/// Listens on 224.0.0.1:5350 for router announcements from the gateway only.
///
/// Several listeners may share the port (SO_REUSEPORT), so a CLI and the daemon can both listen.
public final class RouterAnnouncementListener: Sendable {
    public static let allHostsGroup = IPAddress(224, 0, 0, 1)

    /// Announcements from the gateway, in arrival order. Ends when `close()` is called.
    public let announcements: AsyncStream<RouterAnnouncement>
    private let socket: UDPSocket
    private let pump: Task<Void, Never>

    private init(socket: UDPSocket, announcements: AsyncStream<RouterAnnouncement>, pump: Task<Void, Never>) {
        self.socket = socket
        self.announcements = announcements
        self.pump = pump
    }

    /// Binds and joins the all-hosts group. `port` is 5350 except in tests.
    public static func start(gateway: IPAddress, port: Int = NATPMPMessage.announcePort, logger: Logger) async throws -> RouterAnnouncementListener {
        let socket = try await UDPSocket.bind(host: "0.0.0.0", port: port, reuse: true)
        do {
            try await socket.joinGroup(allHostsGroup)
        } catch {
            // Every IPv4 host is in 224.0.0.1 already; joining only makes it explicit.
            logger.debug("portmap: joining 224.0.0.1 failed (\(error)); announcements still arrive on the all-hosts group")
        }
        let (stream, continuation) = AsyncStream<RouterAnnouncement>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let pump = Task {
            for await envelope in socket.datagrams {
                guard envelope.remoteAddress.ipv4 == gateway else {
                    logger.warning("portmap: ignored router announcement from \(envelope.remoteAddress): not the gateway \(gateway)")
                    continue
                }
                do {
                    let announcement = try RouterAnnouncement.decode(Array(envelope.data.readableBytesView))
                    logger.info("portmap: \(announcement.kind.rawValue) announcement from \(gateway), epoch \(announcement.epoch)\(announcement.externalAddress.map { ", external address \($0)" } ?? "")")
                    continuation.yield(announcement)
                } catch {
                    logger.warning("portmap: ignored announcement from \(gateway): \(error)")
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in Task { await socket.close() } }
        return RouterAnnouncementListener(socket: socket, announcements: stream, pump: pump)
    }

    public var port: Int? { socket.localAddress?.port }

    public func close() async {
        await socket.close()
        pump.cancel()
    }
}
