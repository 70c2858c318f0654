import ArgumentParser

struct HomeportCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "homeport",
        abstract: "Reach your home server from outside: public IP, DDNS, and a self-hosted RustDesk server in one daemon.",
        discussion: """
        Start with `homeport run`: it works without any configuration file. `homeport status` shows what is running, `homeport history uptime` how well it has been running. Write a configuration with `homeport config example > homeport.toml`.
        
        Shell completion: `homeport --generate-completion-script bash` (or zsh, fish) prints a script to install in your shell's completion directory.
        """,
        version: version,
        subcommands: [
            RunCommand.self, StatusCommand.self, CheckCommand.self, HistoryCommand.self, IPCommand.self, PortmapCommand.self, UpdateCommand.self, ProvidersCommand.self, ConfigCommand.self,
            ServiceCommand.self, InstallCommand.self, RendezvousCommand.self, RelayCommand.self, ProbeCommand.self, KeygenCommand.self, ClientConfigCommand.self, PeersCommand.self, AdminCommand.self,
            VersionCommand.self, DebugCommand.self,
        ]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print homeport's version.")

    func run() {
        print("homeport \(HomeportCommand.version)")
    }
}
