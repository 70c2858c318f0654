import ArgumentParser
import ClientSetup
import Paths
import QRCode

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ClientConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-config",
        abstract: "Print what RustDesk clients need to use this server: settings, import string, QR code.",
        discussion: """
        Prints the values for each client's Settings → Network → ID/Relay server (ID server, Relay server, Key; the API server stays empty), the server-config string that "Import server config" and `rustdesk --config` take, and a QR code that the RustDesk mobile app's Scan QR page reads.

        The host is --host, else the first [[ddns]] hostname, else the public address from the history (with a warning: it changes). The ports are [rendezvous] port and [relay] port; the key is the public key in the state directory (`homeport keygen` creates the pair).

        The QR code is drawn on the terminal when standard output is one (not with --json): white on black set explicitly, so it scans on light and dark themes; with NO_COLOR set it uses the terminal's own colours and reads right only on a dark background.
        """
    )

    @OptionGroup var locations: LocationOptions

    @Option(name: .long, help: ArgumentHelp("The name or address clients reach this machine at, instead of the DDNS hostname or public address.", valueName: "name"))
    var host: String?

    @Flag(name: .long, help: "Print JSON instead of text (the QR code's content is in qr_text).")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write the QR code to this file, as PNG or SVG by its extension; `-` draws it on standard output even when that is not a terminal.", valueName: "file"))
    var qr: String?

    func validate() throws {
        if json && qr == "-" { throw ValidationError("--qr - would mix the QR code into the JSON; give a .png or .svg file, or leave out --json.") }
    }

    func run() throws {
        let resolved = try locations.resolvedOrExit()
        let setup: ClientSetup
        let code: QRCode
        do {
            setup = try ClientSetup.load(config: resolved.config, stateDirectory: resolved.stateDirectory, host: host)
            code = try QRCode(encoding: setup.qrText)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        for warning in setup.warnings { Terminal.warning(warning) }
        if let qr, qr != "-" {
            do {
                try code.write(toFile: qr)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode.failure
            }
        }
        if json {
            do {
                print(try setup.jsonText())
            } catch {
                Terminal.error("the setup could not be written as JSON: \(error)")
                throw ExitCode.failure
            }
            return
        }
        for line in setup.textLines { print(line) }
        if qr == "-" || isatty(STDOUT_FILENO) == 1 {
            print("")
            print("In the RustDesk mobile app, scan this on the Scan QR page:")
            let noColor = ProcessEnvironment.value("NO_COLOR").map { !$0.isEmpty } ?? false
            for line in code.terminalLines(colours: !noColor) { print(line) }
        } else if qr == nil {
            print("\n(The QR code is drawn on a terminal; `--qr FILE.png` writes it to a file.)")
        }
        if let qr, qr != "-" { print("\nQR code written to \(qr).") }
    }
}
