import ArgumentParser
import ControlSocket
import Foundation
import Logging
import Paths
import Relay
import Rendezvous
import RustDeskWire
import ServiceLifecycle

/// `homeport relay`: the RustDesk relay. Accepts hbbr's flags, environment variables and list
/// files with the same meanings.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the RustDesk-compatible relay server (what rustdesk-server calls hbbr).",
        discussion: """
        Two RustDesk clients that cannot reach each other directly both connect here with the same session id, and every byte between them is copied through. `homeport run` starts it for you.

        As with hbbr, options also come from the environment or a `.env` file in the working directory: PORT (the relay then uses PORT+1), KEY, BIND, SINGLE_BANDWIDTH, TOTAL_BANDWIDTH and LIMIT_SPEED (Mb/s), DOWNGRADE_THRESHOLD, DOWNGRADE_START_CHECK (seconds), MAX_CONNECTIONS_PER_IP, each range-checked (bandwidths 0.1 to 1000000 Mb/s, threshold 0.01 to 10, start check 0 to 31536000 s, connections 1 to 65536); blacklist.txt (throttled IPs) and blocklist.txt (refused IPs) are read from the working directory and the state directory.

        Unlike hbbr, connections from this machine are relayed like any other (a client on the same machine, or a local reverse proxy, works); the admin functions are `homeport admin --relay …`.
        """
    )

    @Option(name: [.customShort("p"), .long], help: "Relay port, 1 to 65533 (default 21117).")
    var port: Int?

    @Option(name: [.customShort("k"), .long], help: ArgumentHelp("Key clients must present: '' (default) lets anyone relay; '-' uses the public key of \(StateLayout.FileName.serverSecretKey) in the state directory; a base64 secret key or any other string as in hbbr.", valueName: "key"))
    var key: String?

    @Option(name: [.customShort("b"), .long], help: ArgumentHelp("Listen only on this IP address.", valueName: "ip"))
    var bind: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the key pair, list files and the admin socket live.", valueName: "dir"))
    var stateDirectory: String?

    @Option(name: .customLong("max-connections-per-ip"), help: ConnectionCapOption.help)
    var maxConnectionsPerIP: Int?

    func run() async throws {
        umask(0o077)
        let settings: RelaySettings
        do {
            settings = try makeSettings()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        ChildLogging.bootstrap()
        let logger = Logger(label: "relay")
        let server = RelayServer(settings: settings, logger: logger)
        do {
            try await server.start()
        } catch {
            Terminal.error("\(error)")
            await server.shutdown()
            throw ExitCode.failure
        }
        logger.info(settings.licenceKey.map { "clients must present key \($0)" } ?? "no key required: any client may use this relay")
        var admin: ControlServer?
        if let path = settings.adminSocket {
            do {
                admin = try await ControlServer.bind(path: path)
            } catch {
                // As `homeport rendezvous` does: the relay still serves, but say why `homeport
                // admin --relay` and the daemon's status get nothing from it.
                logger.warning("\(error) Admin commands are unavailable.")
            }
        }
        let service = RelayService(server: server, admin: admin, logger: logger)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func makeSettings() throws -> RelaySettings {
        let environment = ProcessEnvironment.all()
        let workingDirectory = FileManager.default.currentDirectoryPath
        let sources = try OptionSources(environment: environment, dotEnv: workingDirectory + "/.env")
        let stateDirectory = try LocationOptions.resolveStateDirectory(flag: self.stateDirectory, configFlag: nil)
        try PrivateFiles.prepareDirectory(stateDirectory)
        var settings = RelaySettings()
        settings.adminSocket = StateLayout(directory: stateDirectory).relayAdminSocket
        if let port {
            settings.port = try RangedNumber.check(port, name: "-p/--port", in: RelaySettings.portRange)
        } else if let base = try sources.integer("PORT", flag: nil, flagName: "", in: RelaySettings.basePortRange) {
            settings.port = base + 1
        }
        settings.bind = bind ?? sources.value("BIND")
        settings.licenceKey = try RelayKey.resolve(key ?? sources.value("KEY") ?? "", keyDirectory: stateDirectory)
        settings.singleBandwidth = try sources.decimal("SINGLE_BANDWIDTH", in: RelaySettings.bandwidthRange, unit: "Mb/s") ?? settings.singleBandwidth
        settings.totalBandwidth = try sources.decimal("TOTAL_BANDWIDTH", in: RelaySettings.bandwidthRange, unit: "Mb/s") ?? settings.totalBandwidth
        settings.limitSpeed = try sources.decimal("LIMIT_SPEED", in: RelaySettings.bandwidthRange, unit: "Mb/s") ?? settings.limitSpeed
        settings.downgradeThreshold = try sources.decimal("DOWNGRADE_THRESHOLD", in: RelaySettings.downgradeThresholdRange)
            ?? settings.downgradeThreshold
        settings.downgradeStartCheck = try sources.decimal("DOWNGRADE_START_CHECK", in: RelaySettings.downgradeStartCheckRange, unit: "seconds")
            ?? settings.downgradeStartCheck
        settings.maximumConnectionsPerSource = try ConnectionCapOption.resolve(flag: maxConnectionsPerIP, sources: sources)
            ?? settings.maximumConnectionsPerSource
        for directory in Set([workingDirectory, stateDirectory]) {
            if let text = try listFile(join(directory, StateLayout.FileName.relayBlacklist)) {
                settings.blacklist.formUnion(RelaySettings.parseAddressList(text))
            }
            if let text = try listFile(join(directory, StateLayout.FileName.relayBlocklist)) {
                settings.blocklist.formUnion(RelaySettings.parseAddressList(text))
            }
        }
        return settings
    }

    /// A list file's text; nil when there is none. One that exists but cannot be read stops the
    /// start: running without the addresses it blocks would be a silent hole.
    private func listFile(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
    }
}

/// Keeps the relay and its admin socket up until SIGTERM/SIGINT.
struct RelayService: Service {
    let server: RelayServer
    let admin: ControlServer?
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if let admin {
                let handler = server.adminHandler
                let logger = logger
                group.addTask {
                    do {
                        try await admin.serve(handler)
                    } catch is CancellationError {
                        // The relay is shutting down: the socket closes with it.
                    } catch {
                        logger.warning("the admin socket stopped: \(error)")
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await server.shutdown()
    }
}
