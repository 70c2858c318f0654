import ArgumentParser
import ControlSocket
import Daemon
import Foundation
import Logging
import Paths
import Rendezvous
import RustDeskWire
import ServiceLifecycle

/// `homeport rendezvous`: the RustDesk ID/rendezvous server. Accepts hbbs's flags and
/// environment variables with the same meanings, so an existing command line or `.env` works.
struct RendezvousCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rendezvous",
        abstract: "Run the RustDesk-compatible ID/rendezvous server (what rustdesk-server calls hbbs).",
        discussion: """
        Clients use it with ID server = <this host>:21116 and Key = the public key printed at start (also `homeport keygen`). It listens on UDP+TCP PORT, TCP PORT-1 (NAT test, online status) and TCP PORT+2 (WebSocket). `homeport run` starts it for you; run it by hand to test.
        
        Options can also come from environment variables or a `.env` file in the working directory, as with hbbs: PORT, KEY, RELAY_SERVERS, BIND, RMEM, ALWAYS_USE_RELAY=Y, DB_URL, SERIAL, RENDEZVOUS_SERVERS, MASK, LOCAL_IP, and homeport's NEW_IDS_PER_MINUTE, UNCONFIRMED_ID_DAYS and MAX_CONNECTIONS_PER_IP. Numbers outside their range are an error. Flags win over -c, which wins over .env, which wins over the environment.
        
        Unlike hbbs, a loopback client on PORT-1 is served like any other (so a RustDesk client on this machine works); the admin functions are `homeport admin …` instead, and a ConfigUpdate datagram is ignored from every source (use `homeport admin config-update`).

        Registration limits: 32 RegisterPk per source in a burst and 300 ids per source per day, where a source is an IPv4 address or an IPv6 /64; at most NEW_IDS_PER_MINUTE new ids per minute in all. An id that never comes back after its first registration (no RegisterPeer a minute or more later) is deleted after UNCONFIRMED_ID_DAYS days.
        """
    )

    @Option(name: [.customShort("p"), .long], help: "Base port P, 3 to 65533 (default 21116).")
    var port: Int?

    @Option(name: [.customShort("k"), .long], help: ArgumentHelp("Key: '-' (default) loads or creates \(StateLayout.FileName.serverSecretKey) in the state directory and requires clients to use its public key; '' disables the check; a base64 secret key or any other string is used as in hbbs.", valueName: "key"))
    var key: String?

    @Option(name: [.customShort("r"), .customLong("relay-servers")], help: ArgumentHelp("Relay servers handed to clients, comma-separated host[:port].", valueName: "list"))
    var relayServers: String?

    @Option(name: [.customShort("b"), .long], help: ArgumentHelp("Listen only on this IP address.", valueName: "ip"))
    var bind: String?

    @Option(name: [.customShort("M"), .customLong("rmem")], help: ArgumentHelp("UDP receive buffer in bytes, 0 (the OS default) to 2147483647.", valueName: "bytes"))
    var receiveBuffer: Int?

    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("Configuration serial, 0 to 2147483647 (deprecated hbbs option; change it at run time with `homeport admin config-update`).", valueName: "n"))
    var serial: Int?

    @Option(name: [.customShort("R"), .customLong("rendezvous-servers")], help: ArgumentHelp("Rendezvous servers announced to clients (deprecated hbbs option).", valueName: "list"))
    var rendezvousServers: String?

    @Option(name: [.customShort("u"), .customLong("software-url")], help: ArgumentHelp("Accepted for hbbs compatibility and ignored.", visibility: .hidden))
    var softwareURL: String?

    @Option(name: .long, help: ArgumentHelp("LAN mask such as 192.168.0.0/16 (deprecated hbbs option).", valueName: "cidr"))
    var mask: String?

    @Option(name: [.customShort("c"), .customLong("config")], help: ArgumentHelp("An hbbs INI file (KEY=value lines).", valueName: "file"))
    var iniFile: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the key pair, the peer database and the admin socket live.", valueName: "dir"))
    var stateDirectory: String?

    @Option(name: .customLong("max-connections-per-ip"), help: ConnectionCapOption.help)
    var maxConnectionsPerIP: Int?

    @Option(name: .customLong("db"), help: ArgumentHelp("Peer database (default: \(StateLayout.FileName.rendezvousDatabase) in the state directory; DB_URL also works).", valueName: "file"))
    var database: String?

    @Option(name: .customLong("new-ids-per-minute"), help: ArgumentHelp("New ids the server accepts per minute from all sources together, 1 to 100000 (default 300; NEW_IDS_PER_MINUTE).", valueName: "n"))
    var newIDsPerMinute: Int?

    @Option(name: .customLong("unconfirmed-id-days"), help: ArgumentHelp("Delete ids that never came back after their first registration this many days later, 0 (never) to 3650 (default 7; UNCONFIRMED_ID_DAYS).", valueName: "days"))
    var unconfirmedIDDays: Int?

    func run() async throws {
        umask(0o077)
        let settings: RendezvousSettings
        let keys: KeyOption
        let store: PeerStore
        do {
            settings = try makeSettings()
            try PrivateFiles.prepareDirectory(settings.keyDirectory)
            keys = try KeyOption.resolve(settings.key, keyDirectory: settings.keyDirectory)
            store = try PeerStore(path: settings.databasePath)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        ChildLogging.bootstrap()
        let logger = Logger(label: "rendezvous")
        let server = RendezvousServer(settings: settings, keys: keys, store: store, logger: logger)
        let listeners: RendezvousServer.Listeners
        do {
            listeners = try await server.start()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        logger.info("Key: \(keys.signer?.publicKeyBase64 ?? keys.licenceKey ?? "(none)")")
        if let licence = keys.licenceKey, !licence.isEmpty {
            logger.info("clients must use this key (Settings → Network → Key)")
        } else {
            logger.notice("no licence key enforced: any client may use this server")
        }
        var admin: ControlServer?
        if let path = settings.adminSocket {
            do {
                admin = try await ControlServer.bind(path: path)
            } catch {
                logger.warning("\(error) Admin commands are unavailable.")
            }
        }
        let service = ListenerService(server: server, listeners: listeners, admin: admin)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func makeSettings() throws -> RendezvousSettings {
        let environment = ProcessEnvironment.all()
        let sources = try OptionSources(environment: environment, dotEnv: FileManager.default.currentDirectoryPath + "/.env", configFile: iniFile)
        let stateDirectory = try LocationOptions.resolveStateDirectory(flag: self.stateDirectory, configFlag: nil)
        var databasePath = database ?? sources.value("DB_URL") ?? StateLayout(directory: stateDirectory).rendezvousDatabase
        if databasePath.hasPrefix("sqlite://") { databasePath = String(databasePath.dropFirst("sqlite://".count)) }
        var settings = RendezvousSettings(keyDirectory: stateDirectory, databasePath: databasePath)
        settings.adminSocket = StateLayout(directory: stateDirectory).rendezvousAdminSocket
        // P-1 and P+2 must be ports too.
        settings.port = try sources.integer("PORT", flag: port, flagName: "-p/--port", in: RendezvousSettings.portRange) ?? settings.port
        settings.key = key ?? sources.value("KEY") ?? "-"
        settings.relayServers = (relayServers ?? sources.value("RELAY-SERVERS")).map(RendezvousSettings.parseList) ?? []
        settings.bind = bind ?? sources.value("BIND")
        settings.receiveBuffer = try sources.integer("RMEM", flag: receiveBuffer, flagName: "-M/--rmem", in: RendezvousSettings.receiveBufferRange,
                                                     unit: "bytes") ?? 0
        settings.alwaysUseRelay = sources.flag("ALWAYS-USE-RELAY")
        let serialRange = Int(RendezvousSettings.serialRange.lowerBound)...Int(RendezvousSettings.serialRange.upperBound)
        settings.serial = Int32(clamping: try sources.integer("SERIAL", flag: serial, flagName: "-s/--serial", in: serialRange) ?? 0)
        settings.rendezvousServers = (rendezvousServers ?? sources.value("RENDEZVOUS-SERVERS")).map(RendezvousSettings.parseList) ?? []
        settings.newIDsPerMinute = try sources.integer("NEW_IDS_PER_MINUTE", flag: newIDsPerMinute, flagName: "--new-ids-per-minute",
                                                       in: RendezvousSettings.newIDsPerMinuteRange) ?? settings.newIDsPerMinute
        settings.unconfirmedIDDays = try sources.integer("UNCONFIRMED_ID_DAYS", flag: unconfirmedIDDays, flagName: "--unconfirmed-id-days",
                                                         in: RendezvousSettings.unconfirmedIDDaysRange, unit: "days") ?? settings.unconfirmedIDDays
        if let text = mask ?? sources.value("MASK"), !text.isEmpty {
            guard let parsed = IPv4Mask(text) else { throw ValidationError("MASK must be an IPv4 network such as 192.168.0.0/16, not '\(text)'.") }
            settings.mask = parsed
            settings.localIP = sources.value("LOCAL-IP")
        }
        settings.maximumConnectionsPerSource = try ConnectionCapOption.resolve(flag: maxConnectionsPerIP, sources: sources)
            ?? settings.maximumConnectionsPerSource
        return settings
    }
}

/// Keeps the listeners and the admin socket open until SIGTERM/SIGINT, then closes them.
struct ListenerService: Service {
    let server: RendezvousServer
    let listeners: RendezvousServer.Listeners
    let admin: ControlServer?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if let admin {
                let handler = server.adminHandler
                group.addTask { try? await admin.serve(handler) }
            }
            group.addTask { await server.maintain() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await listeners.close()
    }
}
