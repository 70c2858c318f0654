// swift-tools-version:6.0
import PackageDescription

// Modules depend downward only:
//   Paths, Config, History, ControlSocket, ServiceFiles  (leaves)
//   RustDeskWire -> CSodium                              (SwiftProtobuf, NIO)
//   Rendezvous -> RustDeskWire                           (GRDB, NIO)
//   Supervisor -> History (event type)                   (Subprocess, NIO)
//   Relay -> RustDeskWire                                (NIO)
//   DNSWire -> CSodium (TSIG HMAC)                      (NIO)
//   PortMapping                                          (NIO, Foundation XML)
//   PublicIP -> PortMapping, DNSWire                     (NIO, URLSession)
//   DDNS -> Config, History, DNSWire                     (URLSession, TOMLKit)
//   Daemon   -> Config, History, Supervisor, ControlSocket, Rendezvous, Relay,
//               PublicIP, PortMapping, DDNS
//   Reports  -> History, Daemon (status model)
//   homeport -> everything (thin CLI)
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
    ],
    targets: [
        .target(name: "Paths"),
        // libsodium for ed25519 keys and signatures, as RustDesk uses.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // The RustDesk wire format: framing, protobuf messages, address encoding, keys.
        .target(
            name: "RustDeskWire",
            dependencies: [
                "CSodium",
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
                "RustDeskWire",
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Rendezvous",
            dependencies: [
                "RustDeskWire", "CSodium",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
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
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
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
                "History", "CProcessControl",
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
                "CSodium",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The home router: UPnP IGD, NAT-PMP and PCP clients, gateway discovery, port mappings.
        .target(
            name: "PortMapping",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Public address detection: sources, agreement, NAT verdict, change monitoring.
        .target(
            name: "PublicIP",
            dependencies: [
                "PortMapping", "DNSWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Dynamic DNS: provider definitions (providers/*.toml), engine, adapters, update policy.
        .target(
            name: "DDNS",
            dependencies: [
                "Config", "History", "DNSWire", "CSodium",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "Paths", "Config", "History", "Supervisor", "ControlSocket", "Rendezvous", "Relay",
                "PublicIP", "PortMapping", "DDNS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Reports",
            dependencies: ["History", "Daemon", "Rendezvous", "Relay", "PublicIP", "PortMapping", "DDNS"]
        ),
        .executableTarget(
            name: "homeport",
            dependencies: [
                "Paths", "Config", "History", "Supervisor", "ControlSocket", "ServiceFiles",
                "Daemon", "Reports", "RustDeskWire", "Rendezvous", "Relay",
                "PublicIP", "PortMapping", "DDNS", "DNSWire",
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
                "homeport", "Paths", "Config", "History", "Supervisor", "ControlSocket",
                "ServiceFiles", "Daemon", "Reports", "RustDeskWire", "Rendezvous", "Relay",
                "PublicIP", "PortMapping", "DDNS", "DNSWire",
                .product(name: "GRDB", package: "GRDB.swift"),
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
