import InternetAddress
import NIOCore

/// One port to test on the requester's address, with the time the whole check may take.
struct ProbeTarget: Sendable {
    var address: IPAddress
    var port: Int
    var timeout: Duration

    func socketAddress() throws -> SocketAddress {
        try SocketAddress(packedIPAddress: ByteBuffer(bytes: address.bytes), port: port)
    }

    var timeoutAmount: TimeAmount { .nanoseconds(Int64(timeout / .nanoseconds(1))) }

    var timeoutText: String { "\(Int(timeout / .milliseconds(1))) ms" }
}

extension ContinuousClock.Instant {
    /// Milliseconds since this instant, to a tenth.
    var millisecondsElapsed: Double {
        let elapsed = ContinuousClock.now - self
        return (Double(elapsed / .microseconds(100))).rounded() / 10
    }
}
