import RustDeskWire
import Synchronization

/// A's connections waiting for B's answer, keyed by A's normalized source address
/// (docs/rustdesk-protocol.md#waiting-connections). Each entry remembers which connection put it there, so a connection that
/// closes removes only its own entry, never a newer one from the same address (docs/rustdesk-protocol.md#upstream-quirks, quirk 8).
final class WaitingConnections: Sendable {
    struct Waiter: Sendable {
        let connection: UInt64
        let send: @Sendable ([UInt8]) -> Void
    }

    private let table = Mutex<[PeerAddress: Waiter]>([:])

    func deposit(_ address: PeerAddress, _ waiter: Waiter) {
        table.withLock { $0[address] = waiter }
    }

    /// Takes the entry out: each answer is delivered once.
    func take(_ address: PeerAddress) -> Waiter? {
        table.withLock { $0.removeValue(forKey: address) }
    }

    func remove(_ address: PeerAddress, connection: UInt64) {
        table.withLock { table in
            if table[address]?.connection == connection { table[address] = nil }
        }
    }

    var count: Int { table.withLock { $0.count } }
}
