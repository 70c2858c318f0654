import Foundation
import InternetAddress

/// What a RustDesk client needs to use this machine's rendezvous and relay servers: the
/// values for its Network settings, the server-config string that sets them all at once, and
/// what the QR code holds. `homeport client-config` prints it, and so does `homeport check`.
public struct ClientSetup: Sendable, Equatable {
    /// Where the host came from, which decides whether clients must be told it may change.
    public enum HostSource: Sendable, Equatable {
        /// `--host`.
        case option
        /// The first hostname of the first `[[ddns]]` entry, kept up to date by this provider.
        case ddns(provider: String)
        /// The public address in the history, current since this time: it changes when the ISP
        /// hands out another one.
        case publicAddress(since: Date)
    }

    /// The ports a client assumes when a server field has none: RENDEZVOUS_PORT and RELAY_PORT
    /// in hbb_common `src/config.rs` (docs/rustdesk-protocol.md#ports).
    public static let clientIDServerPort = 21116
    public static let clientRelayPort = 21117

    public var host: ServerHost
    public var hostSource: HostSource
    /// `[rendezvous] port` and `[relay] port`.
    public var rendezvousPort: Int
    public var relayPort: Int
    /// The server's public key (base64), the client's Key field.
    public var publicKey: String
    /// Things the user should know before handing these settings out.
    public var warnings: [String]

    public init(host: ServerHost, hostSource: HostSource, rendezvousPort: Int, relayPort: Int, publicKey: String, warnings: [String] = []) {
        self.host = host
        self.hostSource = hostSource
        self.rendezvousPort = rendezvousPort
        self.relayPort = relayPort
        self.publicKey = publicKey
        self.warnings = warnings
    }

    /// The client's "ID server" field.
    public var idServer: String { host.text(port: rendezvousPort, clientDefault: Self.clientIDServerPort) }

    /// The client's "Relay server" field, written out even where the client could derive it.
    public var relayServer: String { host.text(port: relayPort, clientDefault: Self.clientRelayPort) }

    /// Whether a client with an empty relay field reaches the relay anyway: it then uses the ID
    /// server's host with port + 1, or port 21117 when the ID server has no port (rustdesk
    /// `src/rendezvous_mediator.rs` `get_relay_server` with hbb_common `increase_port`; the
    /// default 21116 + 1 is 21117 too). The other client learns the relay from this one.
    public var relayIsDerived: Bool { relayPort == rendezvousPort + 1 }

    /// The settings as one string; the relay is left out when the client derives it.
    public var serverConfig: RustDeskServerConfig {
        RustDeskServerConfig(host: idServer, relay: relayIsDerived ? "" : relayServer, key: publicKey)
    }

    public var configString: String { serverConfig.encoded }

    /// Sets the options on an installed client when run as administrator or root (rustdesk
    /// `src/core_main.rs`, `--config`).
    public var rustdeskCommand: String { "rustdesk --config \(configString)" }

    /// What the QR code holds: the mobile app's "Scan QR" page accepts only `config=` followed
    /// by the string (rustdesk `flutter/lib/mobile/pages/scan_page.dart`,
    /// `showServerSettingFromQr`).
    public var qrText: String { "config=" + configString }
}
