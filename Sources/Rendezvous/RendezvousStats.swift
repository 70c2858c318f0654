import Synchronization

/// Counters for what the server dropped or did, shown by `homeport status` and the admin
/// socket: every malformed packet is dropped and counted, never a crash.
public final class RendezvousStats: Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case udpMalformed = "udp_malformed"
        case udpIgnored = "udp_ignored"
        case registerPeer = "register_peer"
        case registerPk = "register_pk"
        case registerPkRefused = "register_pk_refused"
        /// RegisterPk for a new id beyond the server-wide new ids per minute.
        case newIDRefused = "new_id_refused"
        /// ConfigureUpdate datagrams: dropped from every source (the admin socket changes it).
        case configUpdateRefused = "config_update_refused"
        /// Ids created in a flood that never came back, deleted from the database.
        case unconfirmedPruned = "unconfirmed_ids_pruned"
        case punchHoleRequests = "punch_hole_requests"
        case relayRequests = "relay_requests"
        case tcpMalformed = "tcp_malformed"
        case tcpOversized = "tcp_oversized"
        case tcpIdleClosed = "tcp_idle_closed"
        /// A frame (TCP) or the upgrade and first message (WebSocket) missed its deadline.
        case tcpDeadlineClosed = "tcp_deadline_closed"
        /// Refused at accept: its source already had the most connections allowed.
        case tcpRefusedPerSource = "tcp_refused_per_source"
        case undeliverable = "undeliverable_responses"
        /// The peer database could not be read; the request was refused rather than guessed.
        case peerLookupFailed = "peer_lookup_failed"
    }

    private let values = Mutex([Counter: Int]())

    public init() {}

    func add(_ counter: Counter, _ amount: Int = 1) {
        values.withLock { $0[counter, default: 0] += amount }
    }

    public func value(_ counter: Counter) -> Int {
        values.withLock { $0[counter] ?? 0 }
    }

    public var snapshot: [String: Int] {
        Dictionary(uniqueKeysWithValues: Counter.allCases.map { ($0.rawValue, value($0)) })
    }
}
