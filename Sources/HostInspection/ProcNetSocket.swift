import InternetAddress

/// One line of /proc/net/tcp, tcp6, udp or udp6: a socket of the reading process's network
/// namespace, with its local address, state, owner uid and inode (proc(5), "/proc/net/tcp").
struct ProcNetSocket: Sendable, Hashable {
    var transport: Transport
    var address: IPAddress
    var port: UInt16
    /// The kernel's socket state: TCP_LISTEN is 0x0A; an unconnected UDP socket shows 0x07
    /// (TCP_CLOSE, which the kernel's UDP code reuses; include/net/tcp_states.h).
    var state: UInt8
    var uid: UInt32
    var inode: UInt64

    static let tcpListen: UInt8 = 0x0A
    static let udpUnconnected: UInt8 = 0x07

    /// A socket that holds its port for incoming traffic: a TCP listener or an unconnected UDP socket.
    var isListening: Bool {
        transport == .tcp ? state == Self.tcpListen : state == Self.udpUnconnected
    }

    /// Parses one data line (not the header). Fields: `sl local_address rem_address st
    /// tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`. nil when the line does not
    /// have that shape.
    init?(line: Substring, transport: Transport) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 10, fields[0].hasSuffix(":"),
              let (address, port) = Self.endpoint(fields[1]),
              fields[3].count == 2, let state = UInt8(fields[3], radix: 16),
              let uid = UInt32(fields[7]), let inode = UInt64(fields[9]) else { return nil }
        self.transport = transport
        self.address = address
        self.port = port
        self.state = state
        self.uid = uid
        self.inode = inode
    }

    /// `0100007F:0277` (IPv4) or 32 hex digits and a port (IPv6). The kernel prints each 32-bit
    /// word of the network-order address as a native integer (`%08X`, net/ipv4/tcp_ipv4.c
    /// `get_tcp4_sock`, net/ipv6/tcp_ipv6.c `get_tcp6_sock`), so the word's bytes in this host's
    /// memory order are the address bytes; the port is printed as a plain number.
    static func endpoint(_ text: Substring) -> (IPAddress, UInt16)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 8 || parts[0].count == 32, parts[1].count == 4,
              let port = UInt16(parts[1], radix: 16) else { return nil }
        var bytes: [UInt8] = []
        var rest = parts[0][...]
        while !rest.isEmpty {
            guard let word = UInt32(rest.prefix(8), radix: 16) else { return nil }
            withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) }
            rest = rest.dropFirst(8)
        }
        guard let address = IPAddress(bytes: bytes) else { return nil }
        return (address, port)
    }
}

/// The sockets of one /proc/net table and how many of its lines could not be read.
struct ProcNetTable: Sendable {
    var sockets: [ProcNetSocket] = []
    var malformedLines = 0

    /// The text of /proc/net/tcp (or tcp6, udp, udp6): a header line, then one socket a line.
    /// A line that does not parse is skipped and counted.
    init(text: String, transport: Transport) {
        for line in text.split(separator: "\n").dropFirst() where !line.allSatisfy(\.isWhitespace) {
            if let socket = ProcNetSocket(line: line, transport: transport) {
                sockets.append(socket)
            } else {
                malformedLines += 1
            }
        }
    }
}
