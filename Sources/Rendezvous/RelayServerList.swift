import NIOCore
import NIOPosix
import Synchronization

/// The relay servers handed to clients (`-r` / RELAY-SERVERS), round-robin (docs/rustdesk-protocol.md#relay-server-list). With
/// two or more configured, a health check keeps only the reachable ones in rotation (all of
/// them when none answers).
final class RelayServerList: Sendable {
    private struct State {
        var configured: [String]
        var rotation: [String]
    }

    private let state: Mutex<State>
    private let counter = Atomic<Int>(0)

    init(_ servers: [String]) {
        state = Mutex(State(configured: servers, rotation: servers))
    }

    static func parse(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
    }

    var all: [String] { state.withLock { $0.configured } }
    var inRotation: [String] { state.withLock { $0.rotation } }

    func replace(with list: [String]) {
        state.withLock { $0 = State(configured: list, rotation: list) }
    }

    /// "" when none is configured: clients then use `<ID server host>:21117`.
    func next() -> String {
        state.withLock { state in
            let list = state.rotation
            switch list.count {
            case 0: return ""
            case 1: return list[0]
            default:
                let index = counter.wrappingAdd(1, ordering: .relaxed).oldValue
                return list[((index % list.count) + list.count) % list.count]
            }
        }
    }

    /// One round of the health check: a TCP connect to each relay (port 21117 when none is
    /// given) with a 3 s timeout.
    func checkReachability() async {
        let configured = all
        guard configured.count >= 2 else { return }
        var reachable: [String] = []
        await withTaskGroup(of: (String, Bool).self) { group in
            for server in configured {
                group.addTask { (server, await Self.accepts(server)) }
            }
            for await (server, ok) in group where ok { reachable.append(server) }
        }
        let ordered = configured.filter(reachable.contains)
        state.withLock { state in
            guard state.configured == configured, !ordered.isEmpty else { return }
            state.rotation = ordered
        }
    }

    static func accepts(_ server: String) async -> Bool {
        let (host, port) = split(server)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// "host", "host:port", "[v6]:port", or a bare IPv6 literal.
    static func split(_ server: String) -> (String, Int) {
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 21117 : 21117)
        }
        let colons = server.filter { $0 == ":" }.count
        if colons == 1, let colon = server.lastIndex(of: ":") {
            return (String(server[..<colon]), Int(server[server.index(after: colon)...]) ?? 21117)
        }
        return (server, 21117)
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
