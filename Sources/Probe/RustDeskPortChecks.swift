extension ProbeRequest {
    /// The checks for homeport's RustDesk servers on rendezvous port P and relay port R
    /// (docs/rustdesk-protocol.md#ports): the protocol exchange on every port that has one
    /// (TestNatRequest on TCP P − 1 and P, RegisterPeer on UDP P, a WebSocket upgrade on P + 2 and
    /// R + 2), a connect on TCP R, whose first message would start a relay session. Pass nil
    /// for a server that is off.
    public static func rustDeskPorts(rendezvousPort: Int?, relayPort: Int?) -> [Port] {
        var ports: [Port] = []
        if let p = rendezvousPort {
            ports += [.init(port: p - 1, check: .natTest), .init(port: p, check: .natTest),
                      .init(port: p, check: .registerPeer), .init(port: p + 2, check: .websocket)]
        }
        if let r = relayPort {
            ports += [.init(port: r, check: .tcpConnect), .init(port: r + 2, check: .websocket)]
        }
        return ports
    }
}
