import Foundation

/// homeport inside the lab's home namespace.
extension NetLab {
    /// The homeport under test: the one `swift test` built, or HOMEPORT_LAB_HOMEPORT (to run
    /// the scenarios against an installed homeport, or a stand-in while checking the tests).
    static var homeportBinary: String {
        ProcessInfo.processInfo.environment["HOMEPORT_LAB_HOMEPORT"] ?? TestBinary.homeport
    }

    var homeportStateDirectory: String { dir.file("state") }

    /// Writes a homeport config for this lab (the two echo services, no DNS echoes, router checks
    /// every `routerInterval`, then `extra`, e.g. `[[ddns]]` entries) and returns its path.
    @discardableResult
    func writeHomeportConfig(mapPorts: Bool = false, rendezvousPort: Int? = nil, routerInterval: String = "2s",
                             extra: String = "", name: String = "homeport.toml") -> String {
        let urls = NetLabAddressPlan.echoURLs.map { "\"\($0)\"" }.joined(separator: ", ")
        let rendezvous = rendezvousPort.map { "enabled = true\nport = \($0)" } ?? "enabled = false"
        return dir.write(name, """
        [daemon]
        state_dir = "\(homeportStateDirectory)"

        [ip]
        http_ipv4 = [\(urls)]
        http_ipv6 = []
        dns = false
        agreement = 2
        ipv6 = false
        interval = "5m"
        router_interval = "\(routerInterval)"

        [router]
        map_ports = \(mapPorts)

        [rendezvous]
        \(rendezvous)

        [relay]
        enabled = false

        \(extra)
        """)
    }

    /// Runs the built `homeport` in the home namespace to completion.
    func homeport(_ arguments: [String], timeout: Int = 60) async throws -> Homeport.Output {
        try await exec(.home, [Self.homeportBinary] + arguments, timeout: timeout)
    }

    /// Starts a long-running `homeport` (the daemon) in the home namespace.
    func startHomeport(_ arguments: [String], name: String = "homeport") async throws -> LabProcess {
        try await startProcess(name, in: .home, [Self.homeportBinary] + arguments)
    }
}
