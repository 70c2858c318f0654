import ArgumentParser
import Config
import Daemon
import Foundation
import Logging
import Paths
import PortMapping
import Reports
import StatusModel

struct PortmapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portmap",
        abstract: "List, add and remove port mappings on the home router (UPnP IGD, NAT-PMP, PCP).",
        discussion: """
        The router is found through the default route (or `[router] gateway`). PCP is tried first, then NAT-PMP, then UPnP.
        Mappings made here expire after --lifetime unless added again; `homeport run` with `[router] map_ports = true` keeps its own mappings renewed and removes them when it stops.
        When the router refuses (typical behind carrier-grade NAT) or speaks none of the protocols, the command prints the port-forward rows to enter in the router by hand.
        """,
        subcommands: [PortmapListCommand.self, PortmapAddCommand.self, PortmapRemoveCommand.self],
        defaultSubcommand: PortmapListCommand.self
    )
}

struct PortmapOptions: ParsableArguments {
    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Log the conversation with the router to stderr.")
    var verbose = false

    func makeMapper() throws -> (PortMapper, ResolvedLocations) {
        CLILogging.bootstrap(verbose: verbose)
        let resolved: ResolvedLocations
        do {
            resolved = try locations.resolve()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        let mapper = PortMapper(configuration: NetworkComponents.mapperConfiguration(resolved.config.router), logger: Logger(label: "portmap"))
        return (mapper, resolved)
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        print(try StatusJSON.text(value))
    }
}

extension TransportProtocol: ExpressibleByArgument {}

struct PortmapListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the router's port mappings (all of them over UPnP; over NAT-PMP/PCP only homeport's).")

    @OptionGroup var options: PortmapOptions

    func run() async throws {
        let (mapper, resolved) = try options.makeMapper()
        // Leases this command made earlier: NAT-PMP and PCP cannot list, so they come from the file.
        let stored = PortmapLeaseFile(path: StateLayout(directory: resolved.stateDirectory).portmapLeases).load()
        var rows: [PortmapRow]
        do {
            rows = try await mapper.list().map(PortmapRow.init)
        } catch {
            Terminal.error("cannot list the router's mappings: \(error)")
            throw ExitCode.failure
        }
        // The router lists a NAT-PMP or PCP mapping over UPnP as one of its own rows; the file
        // says who made it and how, so such a row is marked homeport's with the lease's protocol.
        let now = Date()
        for lease in stored {
            let mine = PortmapRow(lease: lease)
            if let index = rows.firstIndex(where: { $0.transport == mine.transport && $0.externalPort == mine.externalPort
                                                    && $0.internalAddress == mine.internalAddress }) {
                rows[index].mappedBy = mine.mappedBy
                rows[index].ownedByHomeport = true
                rows[index].externalAddress = rows[index].externalAddress ?? mine.externalAddress
                rows[index].expiresAt = mine.expiresAt
            } else if lease.expiry.map({ $0 > now }) ?? true {
                rows.append(mine)
            }
        }
        rows.sort { ($0.externalPort, $0.transport) < ($1.externalPort, $1.transport) }
        if options.json { return try options.printJSON(rows) }
        if rows.isEmpty {
            print("The router lists no port mappings.")
            return
        }
        var table = TextTable(headers: ["PROTOCOL", "EXTERNAL", "INTERNAL", "BY", "LEASE", "DESCRIPTION"])
        for row in rows {
            table.add([row.transport.uppercased(), String(row.externalPort), "\(row.internalAddress):\(row.internalPort)", row.mappedBy,
                       row.leaseSeconds == 0 ? "permanent" : "\(row.leaseSeconds)s", row.description])
        }
        print(table.render())
    }
}

struct PortmapAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Map a port on the router to this host.",
        discussion: "Example: `homeport portmap add tcp 8443` forwards TCP 8443 on the router's public address to this host's port 8443."
    )

    @OptionGroup var options: PortmapOptions

    @Argument(help: "tcp or udp.")
    var transport: TransportProtocol

    @Argument(help: "The port on this host.")
    var port: UInt16

    @Option(name: .long, help: "The external port to ask for (default: the same as the internal one).")
    var external: UInt16?

    @Option(name: .long, help: "Seconds the router keeps the mapping.")
    var lifetime: UInt32 = 7200

    @Option(name: .long, help: "Description shown in the router's list.")
    var description: String = "homeport"

    func validate() throws {
        guard port > 0 else { throw ValidationError("the port must be from 1 to 65535") }
        guard lifetime >= 120 else { throw ValidationError("--lifetime must be at least 120 seconds; routers drop shorter leases") }
    }

    func run() async throws {
        let (mapper, resolved) = try options.makeMapper()
        let request = MappingRequest(proto: transport, internalPort: port, externalPort: external ?? 0, lifetime: lifetime, description: description)
        do {
            let lease = try await mapper.map(request)
            try PortmapLeaseFile(path: StateLayout(directory: resolved.stateDirectory).portmapLeases).adding(lease)
            let row = PortmapRow(lease: lease)
            // On stderr in both modes, so `--json` output stays one object and the warning is still seen.
            if let warning = MappingAdvice.unreachableWarning(externalAddress: lease.externalAddress) { Terminal.warning(warning) }
            if options.json { return try options.printJSON(row) }
            let outside = lease.externalAddress.map(\.description) ?? "the router's public address"
            print("Mapped \(transport.rawValue.uppercased()) \(outside):\(lease.externalPort) -> \(lease.internalAddress):\(lease.internalPort) with \(lease.mappingProtocol.rawValue), for \(lease.lifetime) s.")
        } catch {
            var (refused, advice) = MappingAdvice.failure(error)
            let headline = refused ? "the router refused the mapping: \(error)" : "no mapping made: \(error)"
            Terminal.error(headline)
            let local = (try? await mapper.gateway())?.localAddress
            if let local {
                advice += "\nIf the router has a public address, forward this port by hand in its web interface:\n"
                advice += ManualForwardTable.render(ManualForwardTable.rows(for: [request], localAddress: local))
            }
            if options.json {
                try options.printJSON(PortmapFailure(error: headline, refused: refused, advice: advice,
                                                     manualForward: local.map { ManualForwardTable.rows(for: [request], localAddress: $0) } ?? []))
            } else {
                print(advice)
            }
            throw ExitCode.failure
        }
    }
}

struct PortmapRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a mapping made by `homeport portmap add`.")

    @OptionGroup var options: PortmapOptions

    @Argument(help: "tcp or udp.")
    var transport: TransportProtocol

    @Argument(help: "The port on this host.")
    var port: UInt16

    @Option(name: .long, help: "The external port, when it differs and the mapping was not made by homeport.")
    var external: UInt16?

    func run() async throws {
        let (mapper, resolved) = try options.makeMapper()
        let file = PortmapLeaseFile(path: StateLayout(directory: resolved.stateDirectory).portmapLeases)
        let recorded = file.load().first { $0.proto == transport && $0.internalPort == port }
        let removed: PortMappingLease
        do {
            if let recorded {
                try await mapper.unmap(recorded)
                removed = recorded
            } else {
                // Not made by this command: UPnP deletes by external port, NAT-PMP by internal
                // port; a PCP mapping needs its nonce and cannot be removed this way.
                try await mapper.remove(proto: transport, internalPort: port, externalPort: external ?? port)
                let local = try await mapper.gateway().localAddress
                removed = PortMappingLease(proto: transport, internalAddress: local, internalPort: port, externalAddress: nil,
                                           externalPort: external ?? port, mappingProtocol: .upnp, lifetime: 0, expiry: nil,
                                           request: MappingRequest(proto: transport, internalPort: port))
            }
        } catch {
            Terminal.error("could not remove \(transport.rawValue) \(port): \(error)")
            throw ExitCode.failure
        }
        try? file.removing(proto: transport, internalPort: port)
        if options.json { return try options.printJSON(PortmapRow(lease: removed)) }
        print("Removed \(transport.rawValue.uppercased()) \(removed.externalPort) -> \(removed.internalAddress):\(port)" + (recorded.map { " (\($0.mappingProtocol.rawValue))" } ?? "") + ".")
    }
}

/// One mapping as `portmap` prints it.
struct PortmapRow: Codable {
    var transport: String
    var externalAddress: String?
    var externalPort: Int
    var internalAddress: String
    var internalPort: Int
    var mappedBy: String
    var leaseSeconds: Int
    var expiresAt: Date?
    var description: String
    var ownedByHomeport: Bool

    enum CodingKeys: String, CodingKey {
        case transport = "protocol"
        case externalAddress = "external_address"
        case externalPort = "external_port"
        case internalAddress = "internal_address"
        case internalPort = "internal_port"
        case mappedBy = "mapped_by"
        case leaseSeconds = "lifetime"
        case expiresAt = "expires_at"
        case description
        case ownedByHomeport = "owned_by_homeport"
    }

    init(lease: PortMappingLease) {
        transport = lease.proto.rawValue
        externalAddress = lease.externalAddress?.description
        externalPort = Int(lease.externalPort)
        internalAddress = lease.internalAddress.description
        internalPort = Int(lease.internalPort)
        mappedBy = lease.mappingProtocol.rawValue
        leaseSeconds = Int(lease.lifetime)
        expiresAt = lease.expiry
        description = lease.request.description
        ownedByHomeport = true
    }

    init(_ listed: ListedMapping) {
        transport = listed.proto.rawValue
        externalAddress = nil
        externalPort = Int(listed.externalPort)
        internalAddress = listed.internalClient
        internalPort = Int(listed.internalPort)
        mappedBy = listed.mappingProtocol.rawValue
        leaseSeconds = Int(listed.leaseSeconds)
        expiresAt = nil
        description = listed.description
        ownedByHomeport = listed.ownedByThisProcess
    }
}

struct PortmapFailure: Codable {
    var error: String
    var refused: Bool
    var advice: String
    var manualForward: [ManualForwardRow]

    enum CodingKeys: String, CodingKey {
        case error, refused, advice
        case manualForward = "manual_forward"
    }
}
