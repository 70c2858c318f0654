import ArgumentParser
import Foundation
import Paths

/// `homeport install`: puts this binary where a service file and a shell find it for good.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Copy this binary to /usr/local/bin (as root) or ~/.local/bin, where services and your shell find it.",
        discussion: """
        Run a newer binary's `install` to upgrade: the file is replaced atomically, and a running daemon keeps the old one until `systemctl restart homeport`. Next, `sudo homeport service install` writes the systemd unit (or launchd job) pointing at the installed file. To uninstall, `sudo homeport service uninstall`, then delete the file.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Install into PREFIX/bin (default: /usr/local as root, ~/.local otherwise).", valueName: "prefix"))
    var prefix: String?

    func run() throws {
        let isRoot = geteuid() == 0
        let prefix = self.prefix ?? (isRoot ? "/usr/local" : join(ProcessEnvironment.value("HOME") ?? "/", ".local"))
        let binDirectory = join(prefix, "bin")
        let target = join(binDirectory, "homeport")
        let source = ExecutablePath.current()
        let sudo = isRoot ? "" : "sudo "
        if URL(fileURLWithPath: target).resolvingSymlinksInPath().path == URL(fileURLWithPath: source).resolvingSymlinksInPath().path {
            print("\(target) is this binary already.")
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: binDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            // Copy beside the target, then rename over it: a running daemon keeps its old file,
            // and no one ever sees half a binary.
            let temporary = target + ".new"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            guard chmod(temporary, 0o755) == 0, rename(temporary, target) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
            }
        } catch {
            Terminal.error("Cannot install \(target): \(error.localizedDescription)\(isRoot || self.prefix != nil ? "" : "; or run it with sudo for /usr/local/bin").")
            throw ExitCode.failure
        }
        print("Installed \(target) (homeport \(HomeportCommand.version)).")
        let path = (ProcessEnvironment.value("PATH") ?? "").split(separator: ":").map(String.init)
        if !path.contains(binDirectory) {
            print("\(binDirectory) is not in your PATH; add it (for example in ~/.profile) or run \(target) by its full path.")
        }
        #if os(Linux)
        print("Next, run it at boot as the system user homeport:\n  \(sudo)\(target) service install && \(sudo)systemctl daemon-reload && \(sudo)systemctl enable --now homeport")
        print("After an upgrade of a running service:\n  \(sudo)systemctl restart homeport")
        #else
        print("Next, run it at login (or at boot, with sudo):\n  \(target) service install")
        #endif
    }
}
