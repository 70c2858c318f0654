import Synchronization

/// The relay servers handed to clients (`-r` / RELAY-SERVERS), round-robin (spec §5.8).
final class RelayServerList: Sendable {
    private let servers: Mutex<[String]>
    private let counter = Atomic<Int>(0)

    init(_ servers: [String]) {
        self.servers = Mutex(servers)
    }

    static func parse(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
    }

    var all: [String] { servers.withLock { $0 } }

    func replace(with list: [String]) {
        servers.withLock { $0 = list }
    }

    /// "" when none is configured: clients then use `<ID server host>:21117`.
    func next() -> String {
        servers.withLock { list in
            switch list.count {
            case 0: return ""
            case 1: return list[0]
            default:
                let index = counter.wrappingAdd(1, ordering: .relaxed).oldValue
                return list[((index % list.count) + list.count) % list.count]
            }
        }
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
