import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The lab itself, proven with stock tools (socat, upnpc, natpmpc) before homeport is trusted
/// to it: each topology shows the outside view and the router's report the scenarios rely on.
@Suite(.serialized, .enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct LabSelfTests {
    @Test func publicWANRouterReportsItsAddressAndMapsPorts() async throws {
        try await NetLab.with { lab in
            let wan = lab.routerWANAddress
            for url in NetLabAddressPlan.echoURLs {
                #expect(try await lab.httpGet(url) == wan, "echo \(url) from the home")
            }
            #expect(try await lab.upnpExternalAddress() == wan, "\(lab.daemonLogs)")
            #expect(try await lab.natpmpPublicAddress() == wan)

            let port = TestPorts.random()
            try await lab.startEchoListeners(port: port)
            // Unmapped, the home is out of reach: the probes can fail.
            #expect(try await lab.tcpEchoes(to: wan, port: port) == false)
            #expect(try await lab.udpEchoes(to: wan, port: port) == false)

            for transport in ["TCP", "UDP"] {
                let added = try await lab.upnpc(["-e", "lab", "-a", lab.homeAddress, String(port), String(port), transport])
                #expect(added.stdout.contains("is redirected to internal"), "\(added.combined)")
            }
            let mappings = try await lab.upnpMappings()
            #expect(mappings.contains(.init(transport: "TCP", externalPort: port, internalAddress: lab.homeAddress, internalPort: port)))
            #expect(mappings.contains(.init(transport: "UDP", externalPort: port, internalAddress: lab.homeAddress, internalPort: port)))
            #expect(try await lab.tcpEchoes(to: wan, port: port))
            #expect(try await lab.udpEchoes(to: wan, port: port))

            for transport in ["TCP", "UDP"] {
                _ = try await lab.upnpc(["-d", String(port), transport])
            }
            #expect(try await lab.upnpMappings().isEmpty)
            #expect(try await lab.tcpEchoes(to: wan, port: port) == false)
            #expect(try await lab.udpEchoes(to: wan, port: port) == false)
        }
    }

    @Test func aWANChangeIsReportedAndAnnouncedAtOnce() async throws {
        try await NetLab.with { lab in
            // miniupnpd multicasts NAT-PMP announcements to 224.0.0.1:5350 on the LAN.
            let announcements = lab.dir.file("announcements.bin")
            let recorder = try await lab.startProcess("announcements", in: .home, [
                "socat", "-u", "UDP4-RECV:5350,ip-add-membership=224.0.0.1:eth0,reuseaddr", "OPEN:\(announcements),creat,append",
            ])
            try await lab.waitForListener(in: .home, .udp, port: 5350, process: recorder)

            let old = lab.routerWANAddress
            let new = lab.anotherWANAddress()
            let started = ContinuousClock.now
            try await lab.changeWANAddress(to: new)
            let changeTook = ContinuousClock.now - started
            #expect(lab.routerWANAddress == new)
            #expect(try await lab.natpmpPublicAddress() == new)
            #expect(try await lab.upnpExternalAddress() == new)
            #expect(try await lab.httpGet(NetLabAddressPlan.echoURLs[0]) == new)
            #expect(new != old)

            let newBytes = new.split(separator: ".").compactMap { UInt8($0) }
            let announced = await eventually(timeout: .seconds(3)) {
                guard let data = FileManager.default.contents(atPath: announcements) else { return false }
                // A NAT-PMP announcement: version 0, opcode 128, result 0, epoch (4), address (4).
                let bytes = [UInt8](data)
                return bytes.indices.contains { start in
                    start + 12 <= bytes.count && bytes[start..<start + 4] == [0, 128, 0, 0] && Array(bytes[start + 8..<start + 12]) == newBytes
                }
            }
            #expect(announced, "no NAT-PMP announcement of \(new)\n\(lab.daemonLogs)")
            print("lab: WAN address change applied in \(changeTook)")
        }
    }

    @Test func carrierNATRouterReportsAnEmptyAddressAndRefusesMappings() async throws {
        try await NetLab.with(.init(upstream: .carrierNAT)) { lab in
            let outside = try #require(lab.plan.upstreamOutside?.address)
            #expect(lab.routerWANAddress.hasPrefix("100."))
            #expect(lab.publicAddress == outside)
            for url in NetLabAddressPlan.echoURLs {
                #expect(try await lab.httpGet(url) == outside)
            }
            #expect(try await lab.upnpExternalAddress() == "", "\(lab.daemonLogs)")
            let natpmp = try await lab.natpmpPublicAddress()
            #expect(natpmp == nil)
            let port = TestPorts.random()
            let refused = try await lab.upnpc(["-e", "lab", "-a", lab.homeAddress, String(port), String(port), "TCP"])
            #expect(refused.combined.contains("501"), "\(refused.combined)")
            // What tells a carrier NAT from a second home router: who answers at hop 2.
            #expect(try await lab.hopAddress(ttl: 1) == lab.routerLANAddress)
            #expect(try await lab.hopAddress(ttl: 2) == lab.plan.upstreamInside?.address)
        }
    }

    @Test func doubleNATRouterReportsAnEmptyAddress() async throws {
        try await NetLab.with(.init(upstream: .upstreamRouter)) { lab in
            let outside = try #require(lab.plan.upstreamOutside?.address)
            #expect(lab.routerWANAddress.hasPrefix("10."))
            #expect(try await lab.httpGet(NetLabAddressPlan.echoURLs[1]) == outside)
            #expect(try await lab.upnpExternalAddress() == "", "\(lab.daemonLogs)")
            let secondHop = try #require(try await lab.hopAddress(ttl: 2))
            #expect(secondHop == lab.plan.upstreamInside?.address && secondHop.hasPrefix("10."))
        }
    }

    @Test func upstreamNATRouterReportsAnAddressTheOutsideDoesNotSee() async throws {
        try await NetLab.with(.init(upstream: .publicAddressNAT)) { lab in
            let outside = try #require(lab.plan.upstreamOutside?.address)
            #expect(lab.routerWANAddress.hasPrefix("198.51.100."))
            #expect(try await lab.upnpExternalAddress() == lab.routerWANAddress, "\(lab.daemonLogs)")
            #expect(try await lab.natpmpPublicAddress() == lab.routerWANAddress)
            for url in NetLabAddressPlan.echoURLs {
                #expect(try await lab.httpGet(url) == outside)
            }
        }
    }

    @Test func routerWithoutMiniupnpdAnswersNothing() async throws {
        try await NetLab.with(.init(router: .none)) { lab in
            let echoed = try await lab.httpGet(NetLabAddressPlan.echoURLs[0])
            #expect(echoed == lab.routerWANAddress)
            let upnp = try await lab.upnpExternalAddress()
            let natpmp = try await lab.natpmpPublicAddress()
            #expect(upnp == nil)
            #expect(natpmp == nil)
            #expect(lab.process("miniupnpd") == nil)
        }
    }

    @Test func teardownLeavesNoNamespaceOrProcess() async throws {
        let lab = try await NetLab.start()
        let names = Array(lab.namespaces.values)
        var pids: [Int32] = []
        for name in names {
            let listed = try await LabTools.mustRun(["ip", "netns", "pids", name])
            pids += listed.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        }
        #expect(pids.count >= 2, "nginx and miniupnpd should be running")
        await lab.tearDown()
        let remaining = try await LabTools.mustRun(["ip", "netns", "list"])
        for name in names { #expect(!remaining.contains(name)) }
        for pid in pids { #expect(!processExists(pid), "pid \(pid) survived teardown") }
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path))

        // A test that throws mid-way leaves nothing behind either.
        var thrownNames: [String] = []
        await #expect(throws: TestFailure.self) {
            try await NetLab.with(.init(upstream: .carrierNAT)) { lab in
                thrownNames = Array(lab.namespaces.values)
                throw TestFailure("deliberate")
            }
        }
        let afterThrow = try await LabTools.mustRun(["ip", "netns", "list"])
        #expect(thrownNames.count == 4)
        for name in thrownNames { #expect(!afterThrow.contains(name)) }
    }
}

/// The binary patch fails loudly on a miniupnpd it does not recognise (runs anywhere).
@Suite struct PatchedMiniupnpdTests {
    @Test func patchNeedsExactlyOneMatchPerEntry() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let entries = PatchedMiniupnpd.neutralised.map { PatchedMiniupnpd.bytes($0.address, 32 - $0.prefixLength) }
        let filler: [UInt8] = Array(repeating: 0xAB, count: 16)

        let good = dir.write("good", "")
        _ = FileManager.default.createFile(atPath: good, contents: Data(filler + entries[0] + filler + entries[1] + filler))
        try PatchedMiniupnpd.write(from: good, to: dir.file("good.patched"))
        let patched = try #require(FileManager.default.contents(atPath: dir.file("good.patched")))
        let neutral = PatchedMiniupnpd.bytes(0xFFFF_FFFF, 0)
        #expect(PatchedMiniupnpd.occurrences(of: neutral, in: patched).count == 2)
        for entry in entries { #expect(PatchedMiniupnpd.occurrences(of: entry, in: patched).isEmpty) }
        #expect(patched.count == filler.count * 3 + 16)

        let twice = dir.write("twice", "")
        _ = FileManager.default.createFile(atPath: twice, contents: Data(entries[0] + entries[0] + entries[1]))
        #expect(throws: TestFailure.self) { try PatchedMiniupnpd.write(from: twice, to: dir.file("twice.patched")) }

        let missing = dir.write("missing", "")
        _ = FileManager.default.createFile(atPath: missing, contents: Data(entries[0] + filler))
        #expect(throws: TestFailure.self) { try PatchedMiniupnpd.write(from: missing, to: dir.file("missing.patched")) }
    }

    @Test(.enabled(if: LabTools.find("miniupnpd") != nil || LabRequirements.required, "miniupnpd is not installed"))
    func theInstalledMiniupnpdIsPatchable() throws {
        let installed = try LabTools.path("miniupnpd")
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try PatchedMiniupnpd.write(from: installed, to: dir.file("miniupnpd"))
        #expect(FileManager.default.isExecutableFile(atPath: dir.file("miniupnpd")))
    }
}
