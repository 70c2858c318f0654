import Foundation
import Synchronization
#if os(Linux)
import Glibc
#endif

/// Something that says "the local network just changed" (an address or route came or went).
public protocol NetworkChangeSource: Sendable {
    /// One element per change burst, named for logs; ends when the source stops.
    func changes() -> AsyncStream<String>
}

public struct NetworkChangeWatcherError: Error, CustomStringConvertible {
    public let description: String
}

/// Linux rtnetlink address and route events (RTMGRP_IPV4_IFADDR, IPV6_IFADDR, IPV4_ROUTE, IPV6_ROUTE)
/// read on a small thread of its own: NIO offers no netlink channel. The socket belongs to the network
/// namespace of the thread that creates the watcher.
public final class NetlinkChangeWatcher: NetworkChangeSource, Sendable {
    private let fd: Int32
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    public init() throws {
        #if os(Linux)
        // linux/rtnetlink.h
        let groups: UInt32 = 0x10 /* IPV4_IFADDR */ | 0x40 /* IPV4_ROUTE */ | 0x100 /* IPV6_IFADDR */ | 0x400 /* IPV6_ROUTE */
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0 /* NETLINK_ROUTE */)
        guard fd >= 0 else { throw NetworkChangeWatcherError(description: "netlink socket: \(String(cString: strerror(errno)))") }
        // struct sockaddr_nl (not in the Glibc module): family u16, pad u16, pid u32, groups u32.
        var address = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt16(AF_NETLINK)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: groups) { address.replaceSubrange(8..<12, with: $0) }
        let bound = address.withUnsafeBytes {
            bind(fd, $0.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(12))
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw NetworkChangeWatcherError(description: "netlink bind: \(reason)")
        }
        self.fd = fd
        #else
        throw NetworkChangeWatcherError(description: "network change events need Linux netlink")
        #endif
    }

    deinit {
        #if os(Linux)
        if !started.load(ordering: .acquiring) { close(fd) }
        #endif
    }

    /// Starts the reader thread (once); it stops and closes the socket when the stream is dropped.
    public func changes() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(8))
        #if os(Linux)
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [self] _ in stopped.store(true, ordering: .releasing) }
        let thread = Thread { [self] in
            readLoop(continuation)
            close(fd)
            continuation.finish()
        }
        thread.name = "homeport-netlink"
        thread.start()
        #else
        continuation.finish()
        #endif
        return stream
    }

    #if os(Linux)
    private func readLoop(_ continuation: AsyncStream<String>.Continuation) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !stopped.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // A short poll so a stop is noticed without a wake-up pipe.
            let ready = poll(&descriptor, 1, 200)
            if ready < 0 && errno != EINTR { return }
            guard ready > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 {
                // ENOBUFS: events were lost, which is itself a reason to re-check.
                if errno == ENOBUFS { continuation.yield("netlink overrun") }
                if errno == EAGAIN || errno == EINTR || errno == ENOBUFS { continue }
                return
            }
            if let kind = Self.describe(buffer[..<count]) { continuation.yield(kind) }
        }
    }

    /// Names the first address or route message in a datagram (nlmsghdr: len u32, type u16, ...).
    static func describe(_ bytes: ArraySlice<UInt8>) -> String? {
        var offset = bytes.startIndex
        while offset + 16 <= bytes.endIndex {
            let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
            let type = UInt16(bytes[offset + 4]) | UInt16(bytes[offset + 5]) << 8
            switch type {
            case 20: return "address added"
            case 21: return "address removed"
            case 24: return "route added"
            case 25: return "route removed"
            default: break
            }
            guard length >= 16 else { return nil }
            offset += (length + 3) & ~3
        }
        return nil
    }
    #endif
}
