import Foundation

extension ClientSetup {
    /// The setup as lines of plain text, for `client-config` and `check`. The long strings are
    /// alone on their lines, unindented, so they can be copied whole.
    public var textLines: [String] {
        [
            "RustDesk client settings for \(host) (\(hostSourceText))",
            "",
            "In each RustDesk client, Settings → Network → ID/Relay server:",
            "  ID server     \(idServer)",
            "  Relay server  \(relayServer)",
            "  API server    (leave empty)",
            "  Key           \(publicKey)",
            "",
            "Or set them all at once: copy this server-config string and use \"Import server config\"",
            "(the paste button next to ID/Relay server):",
            configString,
            "",
            "On an installed client, as administrator or root:",
            rustdeskCommand,
        ]
    }

    /// Where the host came from, as the heading says it.
    public var hostSourceText: String {
        switch hostSource {
        case .option: "given with --host"
        case .ddns(let provider): "the first [[ddns]] hostname, kept current by \(provider)"
        case .publicAddress: "the public address in the history"
        }
    }
}
