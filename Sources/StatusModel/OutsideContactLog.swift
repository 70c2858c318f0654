import Foundation
import History
import InternetAddress
import Synchronization

/// The built-in servers' memory of their last outside contact per listener. Called for every
/// accepted connection and every datagram, so it only compares an address and swaps a value
/// under a lock: nothing here touches the disk (the daemon copies it into the history at most
/// about once a minute, `OutsideContactWriter`).
public final class OutsideContactLog: Sendable {
    private let listeners: Set<BuiltinListener>
    private let serverPort: Atomic<Int>
    private let latest = Mutex([BuiltinListener: OutsideContact]())
    private let now: @Sendable () -> Date

    /// `serverPort`: the port the server's listeners are numbered from; `listeners` are its own.
    public init(serverPort: Int, listeners: [BuiltinListener], now: @escaping @Sendable () -> Date = Date.init) {
        self.listeners = Set(listeners)
        self.serverPort = Atomic(serverPort)
        self.now = now
    }

    /// The port actually bound, when it differs from the configured one (port 0 in tests).
    public func listening(on serverPort: Int) {
        self.serverPort.store(serverPort, ordering: .relaxed)
    }

    /// Remembers a contact on `listener` when `source` is a public address (`AddressScope`);
    /// anything else (LAN, loopback, CGNAT, …) proves nothing about the router and is ignored.
    public func note(_ listener: BuiltinListener, _ kind: OutsideContactKind, from source: IPAddress?) {
        guard let source, source.isPublic, listeners.contains(listener) else { return }
        let port = listener.port(serverPort: serverPort.load(ordering: .relaxed))
        let contact = OutsideContact(listener: listener, port: port, kind: kind, source: source, at: now())
        latest.withLock { $0[listener] = contact }
    }

    /// The latest contact of each listener that had one, in listener order.
    public var contacts: [OutsideContact] {
        latest.withLock { Array($0.values) }.sorted { $0.listener < $1.listener }
    }
}
