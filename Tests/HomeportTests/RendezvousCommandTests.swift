import Foundation
import NIOCore
import NIOPosix
import Testing
import RustDeskWire

#if canImport(Glibc)
import Glibc
#endif

/// `homeport keygen` and `homeport rendezvous` as child processes of the real binary: key
/// files, ports (docs/rustdesk-protocol.md#conformance-checklist 56), option sources and their precedence (docs/rustdesk-protocol.md#options), port
/// conflicts and the admin socket.
@Suite struct RendezvousCommandTests {
    typealias Conformance = RendezvousConformanceTests

    /// The test vector pair of docs/rustdesk-protocol.md#signing, as hbbs would have written it.
    static let hbbsSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA=="
    static let hbbsPublic = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="

    // MARK: keygen

    static func publicKeyLine(_ stdout: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("Public key: ") }.map { String($0.dropFirst("Public key: ".count)) }
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    static func contents(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func keygenCreatesThePairOnceAndChecksIt() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        let first = try await Homeport.run(["keygen", "--state-dir", state])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let key = try #require(Self.publicKeyLine(first.stdout), "\(first.stdout)")
        #expect(key.count == 44 && key.hasSuffix("="))
        let secretPath = state + "/id_ed25519", publicPath = state + "/id_ed25519.pub"
        let secret = try #require(Self.contents(secretPath))
        #expect(secret.count == 88 && !secret.hasSuffix("\n"))
        #expect(Self.contents(publicPath) == key, "the .pub file holds the printed key, no newline")
        let decoded = try #require(Data(base64Encoded: secret))
        #expect(decoded.count == 64)
        #expect(decoded.suffix(32).base64EncodedString() == key)
        #expect(Self.mode(secretPath) == 0o600)
        #expect(Self.mode(publicPath) == 0o600)
        #expect(Self.mode(state) == 0o700)

        let again = try await Homeport.run(["keygen", "--state-dir", state])
        #expect(again.exitCode == 0)
        #expect(Self.publicKeyLine(again.stdout) == key)
        #expect(Self.contents(secretPath) == secret)

        let check = try await Homeport.run(["keygen", "--check", "--state-dir", state])
        #expect(check.exitCode == 0, "\(check.stderr)")
        #expect(check.stdout.contains(key))
    }

    enum Corruption: String, CaseIterable, Sendable {
        case garbage, wrongLength, publicHalfMismatch, empty

        func apply(to path: String) throws {
            let text: String
            switch self {
            case .garbage: text = "not a key at all!"
            case .wrongLength: text = Data(repeating: 7, count: 32).base64EncodedString()
            case .publicHalfMismatch:
                var bytes = [UInt8](Data(base64Encoded: RendezvousCommandTests.hbbsSecret) ?? Data())
                bytes[63] ^= 0x01
                text = Data(bytes).base64EncodedString()
            case .empty: text = "  \n"
            }
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
    }

    @Test(arguments: Corruption.allCases)
    func keygenCheckRefusesACorruptSecretKey(_ corruption: Corruption) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let created = try await Homeport.run(["keygen", "--state-dir", dir.path])
        #expect(created.exitCode == 0)
        let secretPath = dir.file("id_ed25519")
        try corruption.apply(to: secretPath)
        let check = try await Homeport.run(["keygen", "--check", "--state-dir", dir.path])
        #expect(check.exitCode == 1)
        let lines = check.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(corruption): \(check.stderr)")
        #expect(lines.first?.contains(secretPath) == true, "names the file: \(check.stderr)")
        // keygen itself must not replace the broken file with a new key either.
        let plain = try await Homeport.run(["keygen", "--state-dir", dir.path])
        #expect(plain.exitCode == 1)
        #expect(Self.publicKeyLine(plain.stdout) == nil)
    }

    @Test func keygenLoadsAnHbbsPairAsIs() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = dir.write("id_ed25519", Self.hbbsSecret)
        _ = dir.write("id_ed25519.pub", Self.hbbsPublic)
        let result = try await Homeport.run(["keygen", "--state-dir", dir.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(Self.publicKeyLine(result.stdout) == Self.hbbsPublic)
        #expect(Self.contents(dir.file("id_ed25519")) == Self.hbbsSecret)
        #expect(Self.contents(dir.file("id_ed25519.pub")) == Self.hbbsPublic)
        let check = try await Homeport.run(["keygen", "--check", "--state-dir", dir.path])
        #expect(check.exitCode == 0, "\(check.stderr)")
        #expect(check.stdout.contains(Self.hbbsPublic))
    }

    // MARK: rendezvous as a child process

    @Test(arguments: [RendezvousChild.PortSource.flag, .environment])
    func listensOnAllFourPorts(_ source: RendezvousChild.PortSource) async throws {
        // Checklist 56 (and PORT from the environment), and loopback served on P-1.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir, port: source)
        let p = server.port
        #expect(await RendezvousChild.natTestAnswered(port: p), "TCP P")
        #expect(await RendezvousChild.natTestAnswered(port: p - 1), "TCP P-1 from 127.0.0.1 gets a real answer")
        #expect(await RendezvousChild.natTestAnswered(port: p - 1, from: "127.0.0.5"))
        let udp = try await UDPPeer(ip: "127.0.0.3")
        try await udp.send(Conformance.registerPeer("123456789"), to: p)
        let answer = await udp.receiveRaw()
        #expect(answer?.bytes == [0x3a, 0x02, 0x10, 0x01], "UDP P")
        #expect(answer?.port == p)
        await udp.close()
        let ws = try await WebSocketPeer.connect(port: p + 2)
        await ws.close()
        try await server.stop()
    }

    struct KeyCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        var flag: String?
        var configFile: String?
        var dotEnv: String?
        var environment: String?
        let accepted: String
        let refused: [String]
    }

    static let keyCases: [KeyCase] = [
        KeyCase(testDescription: "environment", environment: "envkey", accepted: "envkey", refused: ["wrong"]),
        KeyCase(testDescription: ".env", dotEnv: "dotkey", accepted: "dotkey", refused: ["wrong"]),
        KeyCase(testDescription: "-c file", configFile: "inikey", accepted: "inikey", refused: ["wrong"]),
        KeyCase(testDescription: ".env beats the environment", dotEnv: "dotkey", environment: "envkey", accepted: "dotkey", refused: ["envkey"]),
        KeyCase(testDescription: "-c beats the environment", configFile: "inikey", environment: "envkey", accepted: "inikey", refused: ["envkey"]),
        KeyCase(testDescription: "-c beats .env", configFile: "inikey", dotEnv: "dotkey", accepted: "inikey", refused: ["dotkey"]),
        KeyCase(testDescription: "flag beats everything", flag: "flagkey", configFile: "inikey", dotEnv: "dotkey", environment: "envkey",
                accepted: "flagkey", refused: ["inikey", "dotkey", "envkey"]),
        KeyCase(testDescription: "empty flag disables the check", flag: "", configFile: "inikey", environment: "envkey", accepted: "x", refused: []),
    ]

    @Test(arguments: keyCases)
    func keyOptionPrecedence(_ keyCase: KeyCase) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let cwd = dir.file("cwd")
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        var extra: [String] = []
        if let flag = keyCase.flag { extra += ["-k", flag] }
        if let ini = keyCase.configFile {
            extra += ["-c", dir.write("hbbs.ini", "# hbbs options\n[hbbs]\nKEY=\(ini)\n")]
        }
        if let dotEnv = keyCase.dotEnv { _ = dir.write("cwd/.env", "KEY=\"\(dotEnv)\"\n") }
        let server = try await RendezvousChild.start(extra, in: dir, environment: keyCase.environment.map { ["KEY": $0] } ?? [:], workingDirectory: cwd)
        #expect(try await RendezvousChild.punchUnknown(port: server.port, key: keyCase.accepted) == [0x5a, 0x00], "\(keyCase.accepted) accepted")
        for refused in keyCase.refused {
            #expect(try await RendezvousChild.punchUnknown(port: server.port, key: refused) == [0x5a, 0x02, 0x18, 0x03], "\(refused) refused")
        }
        try await server.stop()
    }

    struct RelayCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        var environment: [String: String] = [:]
        var configFile: String?
        let expected: Hbb_NatType
    }

    static let relayCases: [RelayCase] = [
        RelayCase(testDescription: "not set", expected: .asymmetric),
        RelayCase(testDescription: "ALWAYS_USE_RELAY=Y", environment: ["ALWAYS_USE_RELAY": "Y"], expected: .symmetric),
        RelayCase(testDescription: "always_use_relay=Y (lower case)", environment: ["always_use_relay": "Y"], expected: .symmetric),
        RelayCase(testDescription: "ALWAYS_USE_RELAY=N", environment: ["ALWAYS_USE_RELAY": "N"], expected: .asymmetric),
        RelayCase(testDescription: "-c file", configFile: "ALWAYS_USE_RELAY=Y", expected: .symmetric),
        RelayCase(testDescription: "-c N beats the environment", environment: ["ALWAYS_USE_RELAY": "Y"], configFile: "ALWAYS_USE_RELAY=N", expected: .asymmetric),
    ]

    @Test(arguments: relayCases)
    func alwaysUseRelay(_ relayCase: RelayCase) async throws {
        // Checklist 29 through the option sources.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var extra = ["-k", ""]
        if let ini = relayCase.configFile { extra += ["-c", dir.write("hbbs.ini", ini + "\n")] }
        let server = try await RendezvousChild.start(extra, in: dir, environment: relayCase.environment)
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(Conformance.idB), to: server.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let a = try await TCPPeer(port: server.port, from: "127.0.0.2")
        try await a.send(Conformance.punchHoleRequest(Conformance.idB, key: "any", nat: .asymmetric))
        if case .punchHole(let punch)? = await b.receive()?.union {
            #expect(punch.natType == relayCase.expected)
        } else {
            Issue.record("expected PunchHole")
        }
        await a.close()
        await b.close()
        try await server.stop()
    }

    enum Occupied: String, CaseIterable, Hashable, Sendable {
        case udpP, tcpP, tcpNATTest, tcpWebSocket

        func port(base: Int) -> Int {
            switch self {
            case .udpP, .tcpP: base
            case .tcpNATTest: base - 1
            case .tcpWebSocket: base + 2
            }
        }

        func occupy(port: Int) async throws -> any Channel {
            switch self {
            case .udpP:
                try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "0.0.0.0", port: port).get()
            case .tcpP, .tcpNATTest, .tcpWebSocket:
                try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "0.0.0.0", port: port).get()
            }
        }
    }

    @Test(arguments: Occupied.allCases)
    func portInUseIsOneLineAndExit1(_ occupied: Occupied) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Find a base port whose four sockets are all free, keep the one under test occupied
        // and release the others (so the error can only be about the one we hold).
        var blocker: (any Channel)?
        var base = 0
        for _ in 0..<20 {
            base = TestPorts.random()
            var held: [Occupied: any Channel] = [:]
            for kind in Occupied.allCases {
                if let channel = try? await kind.occupy(port: kind.port(base: base)) { held[kind] = channel }
            }
            let complete = held.count == Occupied.allCases.count
            for (kind, channel) in held where !complete || kind != occupied { try? await channel.close() }
            if complete {
                blocker = held[occupied]
                break
            }
        }
        let channel = try #require(blocker)
        defer { channel.close(promise: nil) }
        let taken = occupied.port(base: base)
        let process = try await HomeportProcess.start(["rendezvous", "-p", "\(base)", "--state-dir", dir.file("state")],
                                                      logPath: dir.file("stderr.log"), stdoutPath: dir.file("stdout.log"))
        let status = try await process.exitStatus(within: .seconds(15))
        guard case .exited(let code)? = status else {
            Issue.record("still running or killed by a signal: \(String(describing: status)); log:\n\(process.log)")
            return
        }
        #expect(code == 1)
        let lines = process.log.split(separator: "\n")
        #expect(lines.count == 1, "\(process.log)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("homeport: Port \(taken) ("), "\(line)")
        #expect(line.contains(") is already in use by another program"), "\(line)")
    }

    @Test func adminStatusOfAServerUsingAnHbbsKeyPair() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("state"), withIntermediateDirectories: true)
        _ = dir.write("state/id_ed25519", Self.hbbsSecret)
        _ = dir.write("state/id_ed25519.pub", Self.hbbsPublic)
        let server = try await RendezvousChild.start(in: dir)
        // The copied pair is used as is: its public key is the licence key.
        #expect(try await RendezvousChild.punchUnknown(port: server.port, key: Self.hbbsPublic) == [0x5a, 0x00])
        #expect(try await RendezvousChild.punchUnknown(port: server.port, key: "wrong") == [0x5a, 0x02, 0x18, 0x03])
        #expect(await eventually(timeout: .seconds(5)) { server.process.log.contains("Key: \(Self.hbbsPublic)") })

        func status() async throws -> [String: Any]? {
            let output = try await Homeport.run(["admin", "status", "--state-dir", server.stateDirectory])
            guard output.exitCode == 0 else { return nil }
            return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        }
        var first: [String: Any]?
        _ = try await eventually(timeout: .seconds(10)) {
            first = try await status()
            return first != nil
        }
        let json = try #require(first, "admin status answered; log:\n\(server.process.log)")
        #expect(json["port"] as? Int == server.port)
        #expect(json["public_key"] as? String == Self.hbbsPublic)
        #expect(json["online_peers"] as? Int == 0)

        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(Conformance.idB), to: server.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let online = try await eventually(timeout: .seconds(5)) { try await status()?["online_peers"] as? Int == 1 }
        #expect(online)
        await b.close()
        try await server.stop()
        #expect(Self.contents(dir.file("state/id_ed25519")) == Self.hbbsSecret, "the pair is not rewritten")
    }
}
