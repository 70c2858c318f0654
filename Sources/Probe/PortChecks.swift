import InternetAddress

/// Runs the checks of one request, all ports at once, on the requester's address.
public enum PortChecks {
    public static func run(_ ports: [ProbeRequest.Port], on address: IPAddress, timeout: Duration) async -> [ProbeAnswer.PortResult] {
        await withTaskGroup(of: (Int, PortFinding).self) { group in
            for (index, port) in ports.enumerated() {
                let target = ProbeTarget(address: address, port: port.port, timeout: timeout)
                group.addTask { (index, await check(port.check, target)) }
            }
            var findings: [Int: PortFinding] = [:]
            for await (index, finding) in group { findings[index] = finding }
            return ports.enumerated().map { index, port in
                let finding = findings[index] ?? PortFinding(.filtered, nil, "not checked")
                return ProbeAnswer.PortResult(port: port.port, check: port.check, result: finding.outcome,
                                              latencyMilliseconds: finding.latencyMilliseconds, detail: finding.detail)
            }
        }
    }

    static func check(_ kind: PortCheckKind, _ target: ProbeTarget) async -> PortFinding {
        switch kind {
        case .tcpConnect: await TCPConnectCheck.run(target)
        case .natTest: await NATTestCheck.run(target)
        case .websocket: await WebSocketUpgradeCheck.run(target)
        case .registerPeer: await RegisterPeerCheck.run(target)
        }
    }
}
