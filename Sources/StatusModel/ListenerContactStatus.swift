import Foundation
import History

/// One listener of a running built-in server in `homeport status`, with its last contact from
/// a public address, live or from the history; none yet when `lastOutsideContact` is nil.
public struct ListenerContactStatus: Codable, Sendable, Equatable {
    public var listener: BuiltinListener
    public var transport: BuiltinListener.Transport
    public var port: Int
    public var lastOutsideContact: OutsideContact?

    enum CodingKeys: String, CodingKey {
        case listener, transport, port
        case lastOutsideContact = "last_outside_contact"
    }

    public init(listener: BuiltinListener, port: Int, lastOutsideContact: OutsideContact?) {
        self.listener = listener
        self.transport = listener.transport
        self.port = port
        self.lastOutsideContact = lastOutsideContact
    }

    /// A row per listener of the servers given with their ports: the live contact when there is
    /// one, else the remembered one if it was on the same port (a contact on an earlier port
    /// proves nothing about the current one).
    public static func merge(servers: [(BuiltinListener.Server, port: Int)], live: [OutsideContact],
                             remembered: [OutsideContact]) -> [ListenerContactStatus] {
        var rows: [ListenerContactStatus] = []
        for listener in BuiltinListener.allCases {
            guard let server = servers.first(where: { $0.0 == listener.server }) else { continue }
            let port = listener.port(serverPort: server.port)
            let candidates = (live + remembered).filter { $0.listener == listener && $0.port == port }
            let latest = candidates.max { $0.at < $1.at }
            rows.append(ListenerContactStatus(listener: listener, port: port, lastOutsideContact: latest))
        }
        return rows
    }

    /// Offline: only what the history remembers.
    public static func remembered(_ contacts: [OutsideContact]) -> [ListenerContactStatus] {
        contacts.sorted { $0.listener < $1.listener }.map {
            ListenerContactStatus(listener: $0.listener, port: $0.port, lastOutsideContact: $0)
        }
    }
}
