import NIOCore

/// UDP to the rendezvous port from 8 hostile addresses (127.0.0.10 – .17), in 100 ms ticks:
/// malformed datagrams, RegisterPk and RegisterPeer for random ids, and a loopback
/// ConfigUpdate every 5 s. `perSecond` is the total rate.
enum HostileDatagrams {
    static func run(_ context: HostileContext, perSecond: Int) async {
        var sockets: [UDPSocket] = []
        for index in 0..<8 {
            if let socket = try? await UDPSocket.bind(context.group, ip: HostileContext.source(index),
                                                      serverPort: context.target.rendezvousPort, keepAnswers: false) {
                sockets.append(socket)
            }
        }
        guard !sockets.isEmpty else {
            log("hostile UDP: no socket could be bound")
            return
        }
        var garbage = Garbage()
        var tick = 0
        var serial: Int32 = 1_000
        let perTick = max(1, perSecond / 10)
        while await context.deadline.sleep(.milliseconds(100)) {
            for number in 0..<perTick {
                let socket = sockets[(tick &+ number) % sockets.count]
                switch number % 5 {
                case 0: socket.write(malformed(&garbage))
                case 1: socket.write(malformed(&garbage))
                case 2: socket.write(Messages.registerPk(id: Messages.randomID(), uuid: garbage.bytes(16), pk: garbage.bytes(32)))
                default: socket.write(Messages.registerPeer(id: Messages.randomID()))
                }
            }
            if tick % 50 == 0 {
                serial += 1
                sockets[tick % sockets.count].write(Messages.configureUpdate(serial: serial))
                context.tally.add("udp.config-update")
            }
            for socket in sockets { socket.flush() }
            context.tally.add("udp.sent", perTick)
            tick += 1
        }
        for socket in sockets { await socket.close() }
    }

    private static func malformed(_ garbage: inout Garbage) -> [UInt8] {
        switch Int.random(in: 0..<5) {
        case 0: return garbage.bytes(Int.random(in: 1...1_200))
        case 1: return [UInt8](repeating: 0x0B, count: 1_000)                          // nested groups
        case 2: return [0x7A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F] + garbage.bytes(20)         // length beyond the datagram
        case 3: return Array(Messages.registerPk(id: Messages.randomID(), uuid: garbage.bytes(16), pk: garbage.bytes(32)).dropLast(7))
        default: return []                                                              // empty datagram
        }
    }
}
