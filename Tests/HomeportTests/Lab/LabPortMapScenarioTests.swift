import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Port mapping through the real router, judged from the lab's internet.
extension LabScenarioTests {
    @Test func portMapOpensAndClosesTCPAndUDP() async throws {
        try await NetLab.with { lab in
            let config = lab.writeHomeportConfig()
            let port = TestPorts.random()
            try await lab.startEchoListeners(port: port)

            var external: [String: (address: String, port: Int)] = [:]
            for transport in ["tcp", "udp"] {
                let output = try await lab.homeport(["portmap", "add", transport, String(port), "--config", config, "--json"])
                #expect(output.exitCode == 0, "portmap add \(transport): \(output.combined)")
                let mapping = try LabJSON(parsing: output.stdout, from: "homeport portmap add \(transport) \(port) --json")
                #expect(mapping["protocol"]?.string?.lowercased() == transport, "\(mapping.text)")
                #expect(mapping["internal_port"]?.int == port, "\(mapping.text)")
                #expect(mapping["external_address"]?.string == lab.routerWANAddress, "\(mapping.text)")
                // miniupnpd speaks PCP, which homeport tries first (RFC 6887 section 11).
                #expect(mapping["mapped_by"]?.string == "pcp", "\(mapping.text)")
                #expect(mapping["lifetime"]?.isNumber == true, "\(mapping.text)")
                let externalPort = try #require(mapping["external_port"]?.int, "\(mapping.text)")
                external[transport] = (mapping["external_address"]?.string ?? lab.routerWANAddress, externalPort)
            }
            let tcp = try #require(external["tcp"])
            let udp = try #require(external["udp"])

            // The internet reaches the home's listeners through the mappings.
            #expect(try await lab.tcpEchoes(to: tcp.address, port: tcp.port), "\(lab.daemonLogs)")
            #expect(try await lab.udpEchoes(to: udp.address, port: udp.port), "\(lab.daemonLogs)")
            // The router itself (asked with upnpc) holds both.
            let routerTable = try await lab.upnpMappings()
            #expect(routerTable.contains { $0.transport == "TCP" && $0.externalPort == tcp.port && $0.internalPort == port })
            #expect(routerTable.contains { $0.transport == "UDP" && $0.externalPort == udp.port && $0.internalPort == port })

            let listed = try await lab.homeport(["portmap", "list", "--config", config, "--json"])
            #expect(listed.exitCode == 0, "\(listed.combined)")
            let entries = try LabJSON(parsing: listed.stdout, from: "homeport portmap list --json").array ?? []
            for transport in ["tcp", "udp"] {
                let entry = entries.first {
                    $0["protocol"]?.string?.lowercased() == transport && $0["internal_port"]?.int == port
                }
                #expect(entry?["external_port"]?.int == external[transport]?.port, "\(transport) not listed: \(listed.stdout)")
                #expect(entry?["internal_address"]?.string == lab.homeAddress, "\(listed.stdout)")
                // Each add ran in its own process: only the lease file, read back by this third
                // process, can say both mappings are homeport's and were made with PCP (the
                // router lists them over UPnP as plain rows).
                #expect(entry?["owned_by_homeport"]?.bool == true, "\(transport) not marked homeport's: \(listed.stdout)")
                #expect(entry?["mapped_by"]?.string == "pcp", "\(transport) not shown as PCP: \(listed.stdout)")
            }

            for transport in ["tcp", "udp"] {
                // The delete must go out as PCP (a MAP with lifetime 0 and the add's nonce,
                // RFC 6887 section 15): remove names the protocol only when it unmapped the
                // recorded lease; the fallback (NAT-PMP by internal port, then UPnP) names none.
                let removed = try await lab.homeport(["portmap", "remove", transport, String(port), "--config", config])
                #expect(removed.exitCode == 0, "portmap remove \(transport): \(removed.combined)")
                #expect(removed.stdout.contains("(pcp)"), "remove \(transport) did not use PCP: \(removed.combined)")
                // The router's own table (upnpc) no longer holds this one.
                let left = try await lab.upnpMappings().filter { $0.transport == transport.uppercased() && $0.internalPort == port }
                #expect(left.isEmpty, "\(transport) still mapped after remove: \(left)")
            }
            // New flows (new source ports) no longer get in; the router's table is empty.
            #expect(try await lab.tcpEchoes(to: tcp.address, port: tcp.port) == false)
            #expect(try await lab.udpEchoes(to: udp.address, port: udp.port) == false)
            #expect(try await lab.upnpMappings().filter { $0.internalPort == port }.isEmpty)
        }
    }

    @Test func portMapBehindCGNATSaysRefusedAndShowsTheManualRow() async throws {
        try await NetLab.with(.init(upstream: .carrierNAT)) { lab in
            let config = lab.writeHomeportConfig()
            let port = TestPorts.random()
            let output = try await lab.homeport(["portmap", "add", "tcp", String(port), "--config", config, "--json"])
            #expect(output.exitCode != 0, "\(output.combined)")
            #expect(output.combined.lowercased().contains("refused"), "\(output.combined)")
            // miniupnpd 2.3.1 on a carrier-NAT WAN refuses all three (PCP 8 NO_RESOURCES, NAT-PMP 3,
            // UPnP 501): a refusal from a router that speaks them all, not a router that speaks none.
            let failure = try LabJSON(parsing: output.stdout, from: "homeport portmap add tcp \(port) --json (refused)")
            #expect(failure["refused"]?.bool == true, "\(failure.text)")
            #expect(failure["advice"]?.string?.contains("no public address") == true, "\(failure.text)")
            #expect(!output.combined.contains("none of UPnP IGD"), "\(output.combined)")
            let rows = output.combined.split(separator: "\n").filter { $0.contains(String(port)) }
            #expect(!rows.isEmpty, "no manual port-forward row naming \(port): \(output.combined)")
            #expect(try await lab.upnpMappings().isEmpty)
        }
    }

    @Test func portMapOnACarrierNATAddressWarnsThatNobodyCanReachIt() async throws {
        try await NetLab.with(.init(upstream: .carrierNAT, router: .miniupnpdAcceptingCarrierNAT)) { lab in
            let config = lab.writeHomeportConfig()
            let port = TestPorts.random()
            let output = try await lab.homeport(["portmap", "add", "tcp", String(port), "--config", config])
            // The router accepts and names its 100.64/10 WAN address; the mapping exists but is useless.
            #expect(output.exitCode == 0, "\(output.combined)")
            #expect(output.stdout.contains("Mapped TCP \(lab.routerWANAddress):"), "\(output.combined)")
            #expect(output.stderr.contains("warning"), "no warning: \(output.combined)")
            #expect(output.stderr.contains("carrier-grade NAT") && output.stderr.contains("nobody outside can reach"), "\(output.combined)")
            _ = try await lab.homeport(["portmap", "remove", "tcp", String(port), "--config", config])
        }
    }
}
