// swift-tools-version:6.0
import PackageDescription

// Modules depend downward only. One line per module: the package's modules it imports after
// "->", other packages in parentheses. PackageGraphTests checks these lines, the README's
// module table and every target's dependencies against the imports.
//   Paths, ServiceFiles, CProcessControl, CSodium,
//   CQRencode, CZlib,
//   InternetAddress (IPAddress, IPFamily)               (leaves)
//   Config                                              (TOMLKit)
//   ControlSocket                                       (NIO)
//   PortMapping -> InternetAddress                      (Logging, NIO, Foundation XML)
//   PublicIP -> InternetAddress                         (Logging, NIO, URLSession)
//   HostInspection -> InternetAddress                   (Subprocess)
//   NATBehavior -> InternetAddress, DNSWire             (NIO)
//   Sodium -> CSodium                                   (libsodium, swift-crypto)
//   History -> InternetAddress                          (GRDB)
//   StatusModel -> InternetAddress, History
//   Supervisor -> History, StatusModel, CProcessControl (Subprocess, Logging, NIO)
//   RustDeskWire -> Paths, Sodium                       (SwiftProtobuf, NIO)
//   Relay -> InternetAddress, Paths, History, RustDeskWire, StatusModel (Logging, NIO)
//   Rendezvous -> InternetAddress, History, RustDeskWire, Sodium, StatusModel (GRDB, Logging, NIO)
//   Probe -> InternetAddress, RustDeskWire              (Hummingbird, Logging, NIO, URLSession)
//   DNSWire -> InternetAddress, Sodium                  (NIO)
//   DDNS -> InternetAddress, Config, History, DNSWire, Sodium (TOMLKit, URLSession)
//   Daemon -> InternetAddress, Paths, Config, History, StatusModel, Supervisor, ControlSocket, PublicIP,
//             PortMapping, DNSWire, DDNS                (Logging, ServiceLifecycle)
//   ReachabilityCheck -> InternetAddress, Config, History, StatusModel, DNSWire, HostInspection, Probe, NATBehavior, PortMapping
//   Reports -> InternetAddress, Config, History, StatusModel, ReachabilityCheck
//   QRCode -> CQRencode, CZlib                          (libqrencode, zlib)
//   ClientSetup -> InternetAddress, Paths, Config, History, RustDeskWire
//   homeport -> InternetAddress, Paths, Config, History, StatusModel, Supervisor, ControlSocket, ServiceFiles,
//             Daemon, Reports, RustDeskWire, Rendezvous, Relay, Probe, PublicIP, PortMapping, DDNS, ReachabilityCheck,
//             ClientSetup, QRCode, NATBehavior, HostInspection
//             (thin CLI: ArgumentParser, Logging, ServiceLifecycle)
let package = Package(
    name: "homeport",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "homeport", targets: ["homeport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .target(name: "Paths"),
        // What `homeport status` shows: the daemon's, the services' and the built-in servers'
        // status values, written by the daemon and read by the CLI and the reports, and the
        // sections rebuilt from the history (which also holds the DDNS outcome vocabulary).
        .target(name: "StatusModel", dependencies: ["InternetAddress", "History"]),
        // The one IP address and address family type: strict parsing, canonical text, scopes.
        // Every module passes these values; text exists only at the edges.
        .target(name: "InternetAddress"),
        // libsodium for ed25519 keys and signatures (as RustDesk uses), SHA-256, HMAC, BLAKE2b.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // The one place for cryptography: every module that signs, hashes or MACs uses this.
        // Ed25519 (as RustDesk), SHA-256 and BLAKE2b over libsodium; HMACs from swift-crypto,
        // which (unlike libsodium) has SHA-1 for TSIG hmac-sha1 keys.
        .target(
            name: "Sodium",
            dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The RustDesk wire format: framing, protobuf messages, address encoding, keys.
        .target(
            name: "RustDeskWire",
            dependencies: [
                "Paths", "Sodium",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            exclude: ["Protos"]
        ),
        // `homeport rendezvous`: the hbbs-compatible ID/rendezvous server and its peer store.
        // `homeport relay`: the hbbr-compatible relay.
        .target(
            name: "Relay",
            dependencies: [
                "InternetAddress", "Paths", "History", "RustDeskWire", "StatusModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Rendezvous",
            dependencies: [
                "InternetAddress", "History", "RustDeskWire", "Sodium", "StatusModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // `homeport probe serve`: the outside probe that tests, from outside a home network, the
        // ports of the address a request comes from; and the client `check` asks it with.
        .target(
            name: "Probe",
            dependencies: [
                "InternetAddress", "RustDeskWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        // prctl(2) is variadic and not exported by Glibc's Swift module.
        .target(name: "CProcessControl"),
        .target(
            name: "Config",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "History",
            dependencies: ["InternetAddress", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "ControlSocket",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "ServiceFiles"),
        .target(
            name: "Supervisor",
            dependencies: [
                "History", "StatusModel", "CProcessControl",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // DNS messages (queries, answers, RFC 2136 UPDATE, TSIG) and a small UDP/TCP exchange.
        .target(
            name: "DNSWire",
            dependencies: [
                "InternetAddress",
                "Sodium",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The home router: UPnP IGD, NAT-PMP and PCP clients, gateway discovery, port mappings.
        .target(
            name: "PortMapping",
            dependencies: [
                "InternetAddress",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Public address detection: sources, agreement, NAT verdict, change monitoring. The router
        // and DNS sources are protocols the daemon fills with PortMapping and DNSWire.
        .target(
            name: "PublicIP",
            dependencies: [
                "InternetAddress",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // What `homeport check` looks at on this host: who holds the built-in servers' ports
        // (/proc, lsof) and what the local firewall does with them (nft, iptables-save, ufw;
        // read only).
        .target(
            name: "HostInspection",
            dependencies: ["InternetAddress", .product(name: "Subprocess", package: "swift-subprocess")]
        ),
        // NAT behaviour for direct connections: STUN (RFC 8489) Binding requests from one local
        // UDP port to several servers, and whether the mapping varies by destination.
        .target(
            name: "NATBehavior",
            dependencies: [
                "InternetAddress", "DNSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Dynamic DNS: provider definitions (providers/*.toml), engine, adapters, update policy.
        .target(
            name: "DDNS",
            dependencies: [
                "InternetAddress",
                "Config", "History", "DNSWire", "Sodium",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "InternetAddress",
                "Paths", "Config", "History", "StatusModel", "Supervisor", "ControlSocket",
                "PublicIP", "PortMapping", "DNSWire", "DDNS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // `homeport check`: the checks, run in parallel with deadlines, and their report.
        .target(
            name: "ReachabilityCheck",
            dependencies: ["InternetAddress", "Config", "History", "StatusModel", "DNSWire", "HostInspection", "Probe", "NATBehavior", "PortMapping"]
        ),
        .target(
            name: "Reports",
            dependencies: ["InternetAddress", "Config", "History", "StatusModel", "ReachabilityCheck"]
        ),
        // QR codes: libqrencode makes the symbol; zlib compresses the PNG image of it.
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"]), .brew(["qrencode"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "QRCode", dependencies: ["CQRencode", "CZlib"]),
        // `homeport client-config`: what a RustDesk client needs (host, ports, key) and the
        // server-config string that carries it.
        .target(
            name: "ClientSetup",
            dependencies: ["InternetAddress", "Paths", "Config", "History", "RustDeskWire"]
        ),
        .executableTarget(
            name: "homeport",
            dependencies: [
                "InternetAddress",
                "Paths", "Config", "History", "StatusModel", "Supervisor", "ControlSocket", "ServiceFiles",
                "Daemon", "Reports", "RustDeskWire", "Rendezvous", "Relay", "Probe",
                "PublicIP", "PortMapping", "DDNS", "ReachabilityCheck", "ClientSetup", "QRCode", "NATBehavior", "HostInspection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // `service install` runs useradd for the service account.
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // Load generator for Benchmarks/rendezvous-bench.sh (not a test).
        .executableTarget(
            name: "RendezvousBench",
            dependencies: [
                "RustDeskWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/RendezvousBench"
        ),
        // Sender/receiver for Benchmarks/relay-bench.sh (not a test).
        .executableTarget(
            name: "RelayBench",
            dependencies: [
                "RustDeskWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/RelayBench"
        ),
        // Hostile mixed load and legitimate-client probes for Benchmarks/hostile-soak.sh (not a test).
        .executableTarget(
            name: "HostileSoak",
            dependencies: [
                "RustDeskWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/HostileSoak"
        ),
        .testTarget(
            name: "HomeportTests",
            dependencies: [
                "InternetAddress",
                // The executable: tests run the real `homeport` binary as a child process.
                "homeport",
                "Paths", "Config", "History", "StatusModel", "Supervisor", "ControlSocket",
                "ServiceFiles", "Daemon", "Reports", "RustDeskWire", "Rendezvous", "Relay", "Probe",
                "PublicIP", "PortMapping", "DDNS", "DNSWire", "Sodium", "ReachabilityCheck", "ClientSetup", "QRCode", "HostInspection",
                "NATBehavior",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            // DDNS provider test cases are data read at run time, not sources or resources.
            exclude: ["DDNS/Cases"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
