import Foundation
#if os(Linux)
import Glibc
#endif
import InternetAddress

/// Finds the first routers toward a target the way traceroute does, without privileges: UDP datagrams
/// with IP TTL 1, 2, 3… from an ordinary UDP socket with IP_RECVERR, and the ICMP "time exceeded"
/// senders (SO_EE_OFFENDER) read from the socket's error queue. NIO cannot read MSG_ERRQUEUE, so this
/// file holds the project's raw socket calls. It blocks (poll with a short deadline) on a thread of
/// its own, never on the cooperative pool. IPv4 only; elsewhere than Linux it reports `unsupported`.
public struct UpstreamHopProbe: HopProbing {
    /// traceroute's traditional base port; each TTL uses its own destination port to tell answers apart.
    static let basePort = 33434

    public init() {}

    public func probe(toward target: IPAddress, maxHops: Int, timeout: Duration) async -> UpstreamHops {
        #if os(Linux)
        guard target.family == .ipv4 else {
            return UpstreamHops(status: .unsupported, target: target, detail: "the hop probe measures IPv4 paths only")
        }
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.probeBlocking(toward: target, maxHops: maxHops, timeout: timeout))
            }
            thread.name = "homeport-hop-probe"
            thread.start()
        }
        #else
        return UpstreamHops(status: .unsupported, target: target, detail: "the hop probe needs Linux (IP_RECVERR error queues)")
        #endif
    }

    #if os(Linux)
    /// The probe itself, on the calling thread (tests call it from a thread moved into a network namespace).
    static func probeBlocking(toward target: IPAddress, maxHops: Int, timeout: Duration) -> UpstreamHops {
        let maxHops = max(1, min(maxHops, 16))
        func failed(_ what: String) -> UpstreamHops {
            UpstreamHops(status: .failed, target: target, detail: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return failed("socket") }
        defer { close(fd) }
        var on: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_IP), IP_RECVERR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return failed("IP_RECVERR") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        withUnsafeMutableBytes(of: &destination.sin_addr) { $0.copyBytes(from: target.bytes) }

        for ttl in 1...maxHops {
            var hopLimit = Int32(ttl)
            guard setsockopt(fd, Int32(IPPROTO_IP), IP_TTL, &hopLimit, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return failed("IP_TTL") }
            destination.sin_port = UInt16(basePort + ttl).bigEndian
            let payload: [UInt8] = Array("homeport hop".utf8) + [UInt8(ttl)]
            // An ICMP error that arrived meanwhile is also reported by the next send (the socket's
            // pending error) and that datagram is not sent: try again.
            var sent = -1
            for _ in 0..<3 {
                sent = withUnsafePointer(to: &destination) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if sent >= 0 || (errno != EHOSTUNREACH && errno != ECONNREFUSED && errno != ENETUNREACH) { break }
            }
            if sent < 0 && ttl == 1 { return failed("send to \(target)") }
        }

        var answers: [Int: UpstreamHops.Hop] = [:]
        let deadline = ContinuousClock.now + timeout
        while answers.count < maxHops, !answers.values.contains(where: \.reachedTarget) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN | POLLERR), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, remaining.milliseconds.rounded(.up))))
            if ready < 0 && errno != EINTR { return failed("poll") }
            if ready <= 0 { continue }
            drainErrorQueue(fd, maxHops: maxHops, into: &answers)
            if descriptor.revents & Int16(POLLIN) != 0 {
                var scratch = [UInt8](repeating: 0, count: 512)
                _ = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
            }
        }
        let lastTTL = answers.values.filter(\.reachedTarget).map(\.ttl).min() ?? maxHops
        let hops = (1...lastTTL).map { answers[$0] ?? UpstreamHops.Hop(ttl: $0, address: nil) }
        return UpstreamHops(status: .measured, target: target, hops: hops)
    }

    /// Reads every queued error: which TTL's datagram it concerns (the original destination port)
    /// and who sent the ICMP message (the offender address after `struct sock_extended_err`).
    private static func drainErrorQueue(_ fd: Int32, maxHops: Int, into answers: inout [Int: UpstreamHops.Hop]) {
        // include/uapi/linux/errqueue.h
        let originICMP: UInt8 = 2, timeExceeded: UInt8 = 11, unreachable: UInt8 = 3, portUnreachable: UInt8 = 3
        while true {
            var payload = [UInt8](repeating: 0, count: 256)
            var control = [UInt8](repeating: 0, count: 512)
            var original = sockaddr_in()
            let received: Int = payload.withUnsafeMutableBytes { payloadBytes in
                control.withUnsafeMutableBytes { controlBytes in
                    withUnsafeMutablePointer(to: &original) { name in
                        var vector = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                            var message = msghdr()
                            message.msg_name = UnsafeMutableRawPointer(name)
                            message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                            message.msg_iov = vectorPointer
                            message.msg_iovlen = 1
                            message.msg_control = controlBytes.baseAddress
                            message.msg_controllen = controlBytes.count
                            let count = recvmsg(fd, &message, Int32(MSG_ERRQUEUE) | Int32(MSG_DONTWAIT))
                            return count < 0 ? -1 : message.msg_controllen
                        }
                    }
                }
            }
            guard received >= 0 else { return }
            var ttl = Int(UInt16(bigEndian: original.sin_port)) - basePort
            if !(1...maxHops).contains(ttl) {
                ttl = payload.count > 12 ? Int(payload[12]) : 0
            }
            guard (1...maxHops).contains(ttl) else { continue }
            let header = MemoryLayout<cmsghdr>.size
            var offset = 0
            while offset + header <= received {
                let (length, level, type): (Int, Int32, Int32) = control.withUnsafeBytes { raw in
                    let item = raw.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                    return (Int(item.cmsg_len), item.cmsg_level, item.cmsg_type)
                }
                guard length >= header, offset + length <= received else { break }
                let data = offset + ((header + 7) & ~7)
                // sock_extended_err: errno(4) origin(1) type(1) code(1) pad(1) info(4) data(4), then the offender.
                if level == Int32(IPPROTO_IP), type == IP_RECVERR, length - (data - offset) >= 16 + 8, control[data + 4] == originICMP {
                    let icmpType = control[data + 5], icmpCode = control[data + 6]
                    let offenderFamily = control.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: data + 16, as: UInt16.self) }
                    if offenderFamily == UInt16(AF_INET), let offender = IPAddress(bytes: Array(control[(data + 20)..<(data + 24)])) {
                        let reached = icmpType == unreachable && icmpCode == portUnreachable
                        if icmpType == timeExceeded || icmpType == unreachable, answers[ttl] == nil {
                            answers[ttl] = UpstreamHops.Hop(ttl: ttl, address: offender, reachedTarget: reached)
                        }
                    }
                }
                offset += (length + 7) & ~7
            }
        }
    }
    #endif
}
